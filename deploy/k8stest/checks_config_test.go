package k8stest

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	amqp "github.com/rabbitmq/amqp091-go"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
)

// checkEnvironment: every variable a container gets is one internal/config reads (a misspelt name
// would leave the default, 127.0.0.1, in place), every reference resolves, the values parse as
// internal/config parses them, each role gets what it needs, and credentials come from Secrets.
func checkEnvironment(s *subject) []string {
	var problems []string
	for _, p := range s.running() {
		problems = append(problems, p.envProblems...)
		if p.cfgErr != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", p.name(), p.cfgErr))
		}
		required, _ := p.role.needs()
		for _, name := range required {
			if v, ok := p.env[name]; !ok || (v.known && v.value == "") {
				problems = append(problems, fmt.Sprintf("%s: shop %s needs %s, which is not given", p.name(), p.role.command, name))
			}
		}
		for _, name := range sensitive {
			if v, ok := p.env[name]; ok && !v.secret {
				problems = append(problems, fmt.Sprintf("%s: %s carries credentials but comes from %s, not a Secret", p.name(), name, v.source))
			}
		}
	}
	return problems
}

// checkServers: the addresses of the servers each role talks to name a server outside the pod (a
// loopback address is the pod itself) and are what the shop's clients accept: a MongoDB replica set,
// an AMQP URL, an Elasticsearch URL, a Temporal host:port, and a payment provider and an inventory API
// that, when they are names inside the cluster, are rendered Services of the payment sandbox and of the
// inventory's API.
func checkServers(s *subject) []string {
	var problems []string
	for _, p := range s.configured() {
		required, optional := p.role.needs()
		for _, name := range append(required, optional...) {
			v, ok := p.env[name]
			if !ok || !v.known || v.value == "" {
				continue // checkEnvironment reports what is missing; a Secret left to an overlay is unknown here
			}
			if err := s.checkServer(name, v.value); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %s: %v", p.name(), name, err))
			}
		}
	}
	return problems
}

func (s *subject) checkServer(name, value string) error {
	var hosts []string
	switch name {
	case "MONGO_URI":
		cs, err := connstring.ParseAndValidate(value)
		if err != nil {
			return err
		}
		if cs.ReplicaSet == "" && cs.Scheme != connstring.SchemeMongoDBSRV {
			return fmt.Errorf("names no replicaSet (and is no mongodb+srv:// address): the driver would not follow a new primary")
		}
		hosts = cs.Hosts
	case "RABBITMQ_URL":
		u, err := amqp.ParseURI(value)
		if err != nil {
			return err
		}
		hosts = []string{u.Host}
	case "ELASTICSEARCH_URL", "PAYMENTS_URL", "INVENTORY_URL":
		u, err := url.Parse(value)
		if err != nil {
			return err
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("is no http(s) URL of a server (scheme %q, host %q)", u.Scheme, u.Host)
		}
		hosts = []string{u.Host}
		// The servers of the project itself: a name inside the cluster must reach the right process.
		if command, ok := map[string]string{"PAYMENTS_URL": "payments", "INVENTORY_URL": "inventory"}[name]; ok {
			if err := s.inClusterService(u, command); err != nil {
				return err
			}
		}
	case "TEMPORAL_ADDRESS":
		if _, _, err := net.SplitHostPort(value); err != nil {
			return fmt.Errorf("%q is no host:port: %w", value, err)
		}
		hosts = []string{value}
	default:
		return nil
	}
	for _, h := range hosts {
		host := h
		if hh, _, err := net.SplitHostPort(h); err == nil {
			host = hh
		}
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return fmt.Errorf("%s is the pod itself, not a server", h)
		}
	}
	return nil
}

// inClusterService: a URL (PAYMENTS_URL, INVENTORY_URL) whose host is a name inside the cluster (one
// label, or ending in .svc or .svc.cluster.local) must be a rendered Service, on one of its ports, that
// sends to pods running command (the payment sandbox, the inventory's API).
func (s *subject) inClusterService(u *url.URL, command string) error {
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if strings.Contains(host, ".") && !strings.HasSuffix(host, ".svc") && !strings.HasSuffix(host, ".svc.cluster.local") {
		return nil // a provider outside the cluster
	}
	name := strings.Split(host, ".")[0]
	for _, svc := range s.m.services {
		if svc.Name != name {
			continue
		}
		for _, sp := range svc.Spec.Ports {
			if fmt.Sprint(sp.Port) != port {
				continue
			}
			for _, p := range s.running() {
				if p.role.command == command && slices.Contains(s.servicesSelecting(p), svc) {
					return nil
				}
			}
			return fmt.Errorf("Service %s does not send to the %s process", name, command)
		}
		return fmt.Errorf("Service %s has no port %s", name, port)
	}
	return fmt.Errorf("no Service %s is rendered", name)
}

// checkReadmeVariables: every variable of the README's configuration table is given to the pods (in
// the ConfigMap, or from a Secret), so a new setting is not forgotten here, and is one that
// internal/config reads.
func checkReadmeVariables(s *subject) []string {
	given := map[string]bool{}
	for _, p := range s.running() {
		for name := range p.env {
			given[name] = true
		}
	}
	var problems []string
	for _, name := range s.facts.readmeVars {
		if !given[name] && !optionalTelemetry(name) {
			problems = append(problems, fmt.Sprintf("%s (README's configuration table) is given to no pod", name))
		}
		if !s.facts.configVars[name] {
			problems = append(problems, fmt.Sprintf("%s (README's configuration table) is not read by internal/config", name))
		}
	}
	return problems
}

// optionalTelemetry: tracing variables a deployment may leave unset (the endpoint comes with the
// collector an overlay names; Zipkin is the local stack's trace UI only).
func optionalTelemetry(name string) bool {
	return name == "OTEL_EXPORTER_OTLP_ENDPOINT" || name == "OTEL_EXPORTER_ZIPKIN_ENDPOINT"
}
