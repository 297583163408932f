package k8stest

import (
	"flag"
	"fmt"
	"io"
	"net"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/order-saga/shop/internal/config"
)

// shopContainer is the name of the container that runs the shop's image in every pod (shop-pod.yaml).
const shopContainer = "shop"

// role is what a shop container runs: a subcommand of cmd/shop and, for inventory and orders, which of
// its parts (-api=false runs the worker alone, -worker=false the API alone).
type role struct {
	command     string
	api, worker bool
}

// roleOf reads a container's arguments as cmd/shop does. The image's ENTRYPOINT is the shop binary,
// so the container must leave `command` alone and give the subcommand as its first argument.
func roleOf(c *corev1.Container) (role, error) {
	if len(c.Command) > 0 {
		return role{}, fmt.Errorf("command %q replaces the image's ENTRYPOINT (the shop binary); give the subcommand in args", c.Command)
	}
	if len(c.Args) == 0 {
		return role{}, fmt.Errorf("no args: the first must be a subcommand of cmd/shop")
	}
	r := role{command: c.Args[0]}
	rest := c.Args[1:]
	switch r.command {
	case "inventory", "orders":
		fs := flag.NewFlagSet(r.command, flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		api := fs.Bool("api", true, "")
		worker := fs.Bool("worker", true, "")
		if err := fs.Parse(rest); err != nil {
			return role{}, fmt.Errorf("args %q: %w", c.Args, err)
		}
		if fs.NArg() > 0 {
			return role{}, fmt.Errorf("args %q: %q is no flag of shop %s", c.Args, fs.Args(), r.command)
		}
		if !*api && !*worker {
			return role{}, fmt.Errorf("args %q: neither the API nor the worker runs", c.Args)
		}
		r.api, r.worker = *api, *worker
	case "payments", "projector":
		if len(rest) > 0 {
			return role{}, fmt.Errorf("args %q: shop %s takes no flags", c.Args, r.command)
		}
		r.api = r.command == "payments"
	default:
		return role{}, fmt.Errorf("args %q: %q is not a subcommand of cmd/shop that runs a service (inventory, orders, payments, projector)", c.Args, r.command)
	}
	return r, nil
}

// addrVar is the variable that says where the role listens: its API, or only its ops endpoints.
func (r role) addrVar() string {
	return map[string]string{
		"inventory": "INVENTORY_ADDR", "orders": "ORDERS_ADDR", "payments": "PAYMENTS_ADDR", "projector": "PROJECTOR_ADDR",
	}[r.command]
}

func (r role) addr(cfg config.Config) string {
	return map[string]string{
		"inventory": cfg.InventoryAddr, "orders": cfg.OrdersAddr, "payments": cfg.PaymentsAddr, "projector": cfg.ProjectorAddr,
	}[r.command]
}

// needs are the variables a role must be given: the servers it talks to (their defaults name
// 127.0.0.1, the pod itself) and what it refuses to work without. optional ones it uses when given.
func (r role) needs() (required, optional []string) {
	switch r.command {
	case "inventory", "orders":
		required = []string{"MONGO_URI", "TEMPORAL_ADDRESS", "RABBITMQ_URL"}
		optional = []string{"ELASTICSEARCH_URL"} // searches fall back to MongoDB, logs to stdout
		if r.command == "orders" && r.worker {
			// the saga's payment activities; its first attempts at reserve and commit, and their token
			required = append(required, "PAYMENTS_URL", "INVENTORY_URL", "STOCK_API_TOKEN")
		}
		if r.command == "inventory" && r.api {
			required = append(required, "STOCK_API_TOKEN") // empty refuses the order worker's first attempts
		}
		if r.command == "orders" && r.api {
			required = append(required, "ADMIN_TOKEN") // empty refuses every operator call
		}
	case "payments":
		required = []string{"MONGO_URI"}
	case "projector":
		required = []string{"RABBITMQ_URL", "ELASTICSEARCH_URL"} // it refuses to start without the latter
	}
	return required, optional
}

// sensitive variables carry credentials: they must come from a Secret.
var sensitive = []string{"MONGO_URI", "RABBITMQ_URL", "ELASTICSEARCH_URL", "ADMIN_TOKEN", "STOCK_API_TOKEN"}

// envVar is one variable of a container's environment as the process sees it.
type envVar struct {
	source string // where it comes from, for messages
	secret bool   // from a Secret
	known  bool   // the render holds its value (a Secret left to an overlay does not)
	value  string
}

// pod is a Deployment's shop container with what the checks derive from it.
type pod struct {
	d       *appsv1.Deployment
	c       *corev1.Container
	role    role
	roleErr error
	env     map[string]envVar
	// envProblems: names internal/config does not read, references the render cannot resolve.
	envProblems []string
	cfg         config.Config // parsed by internal/config from the known values
	cfgErr      error
}

func (p *pod) name() string { return "Deployment " + p.d.Name }

func newPod(d *appsv1.Deployment, m *manifests, t target, vars map[string]bool) *pod {
	p := &pod{d: d}
	for i := range d.Spec.Template.Spec.Containers {
		if d.Spec.Template.Spec.Containers[i].Name == shopContainer {
			p.c = &d.Spec.Template.Spec.Containers[i]
		}
	}
	if p.c == nil {
		p.roleErr = fmt.Errorf("no container named %q", shopContainer)
		return p
	}
	p.role, p.roleErr = roleOf(p.c)
	p.readEnv(m, t, vars)
	known := map[string]string{}
	for name, v := range p.env {
		if v.known {
			known[name] = v.value
		}
	}
	p.cfg, p.cfgErr = config.Parse(known)
	return p
}

// readEnv resolves the container's environment: envFrom first, then env, a later one winning, as the
// kubelet does.
func (p *pod) readEnv(m *manifests, t target, vars map[string]bool) {
	p.env = map[string]envVar{}
	set := func(name string, v envVar) {
		if !vars[name] {
			p.envProblems = append(p.envProblems, fmt.Sprintf("%s: %s (%s) is not a variable internal/config reads", p.name(), name, v.source))
		}
		p.env[name] = v
	}
	for _, from := range p.c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			cm, ok := m.configMaps[from.ConfigMapRef.Name]
			if !ok {
				p.envProblems = append(p.envProblems, fmt.Sprintf("%s: envFrom ConfigMap %s is not rendered", p.name(), from.ConfigMapRef.Name))
				continue
			}
			for k, v := range cm.Data {
				set(from.Prefix+k, envVar{source: "ConfigMap " + cm.Name, known: true, value: v})
			}
		case from.SecretRef != nil:
			s, ok := m.secrets[from.SecretRef.Name]
			if !ok {
				if !t.suppliedElsewhere[from.SecretRef.Name] {
					p.envProblems = append(p.envProblems, fmt.Sprintf("%s: envFrom Secret %s is not rendered", p.name(), from.SecretRef.Name))
				}
				continue
			}
			for k, v := range secretData(s) {
				set(from.Prefix+k, envVar{source: "Secret " + s.Name, secret: true, known: true, value: v})
			}
		}
	}
	var seen []string
	for _, e := range p.c.Env {
		if slices.Contains(seen, e.Name) {
			p.envProblems = append(p.envProblems, fmt.Sprintf("%s: env %s is set twice", p.name(), e.Name))
		}
		seen = append(seen, e.Name)
		switch vf := e.ValueFrom; {
		case vf == nil:
			set(e.Name, envVar{source: "env", known: true, value: e.Value})
		case vf.SecretKeyRef != nil:
			ref := vf.SecretKeyRef
			v := envVar{source: "Secret " + ref.Name + " key " + ref.Key, secret: true}
			if s, ok := m.secrets[ref.Name]; ok {
				v.value, v.known = secretData(s)[ref.Key]
				if !v.known {
					p.envProblems = append(p.envProblems, fmt.Sprintf("%s: env %s: Secret %s has no key %s", p.name(), e.Name, ref.Name, ref.Key))
				}
			} else if !t.suppliedElsewhere[ref.Name] {
				p.envProblems = append(p.envProblems, fmt.Sprintf("%s: env %s: Secret %s is not rendered", p.name(), e.Name, ref.Name))
			}
			set(e.Name, v)
		case vf.ConfigMapKeyRef != nil:
			ref := vf.ConfigMapKeyRef
			v := envVar{source: "ConfigMap " + ref.Name + " key " + ref.Key}
			if cm, ok := m.configMaps[ref.Name]; ok {
				v.value, v.known = cm.Data[ref.Key]
			}
			if !v.known {
				p.envProblems = append(p.envProblems, fmt.Sprintf("%s: env %s: ConfigMap %s has no key %s", p.name(), e.Name, ref.Name, ref.Key))
			}
			set(e.Name, v)
		default:
			set(e.Name, envVar{source: "env from the pod's own fields"})
		}
	}
}

func secretData(s *corev1.Secret) map[string]string {
	out := map[string]string{}
	for k, v := range s.Data {
		out[k] = string(v)
	}
	for k, v := range s.StringData {
		out[k] = v
	}
	return out
}

// httpPort is the container's port named http, where every role listens.
func (p *pod) httpPort() (int32, bool) {
	for _, cp := range p.c.Ports {
		if cp.Name == "http" {
			return cp.ContainerPort, true
		}
	}
	return 0, false
}

// listenPort is the port the role's address variable makes the process listen on.
func (p *pod) listenPort() (int32, error) {
	addr := p.role.addr(p.cfg)
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: %w", p.role.addrVar(), addr, err)
	}
	var n int32
	if _, err := fmt.Sscan(port, &n); err != nil {
		return 0, fmt.Errorf("%s=%q: port %q", p.role.addrVar(), addr, port)
	}
	return n, nil
}
