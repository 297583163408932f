// Package composetest checks docker-compose.yml and the Dockerfile without a Docker engine: the
// compose file is loaded by compose-go (the loader of Docker Compose v2, which validates it against the
// Compose Specification's schema and resolves anchors, merges and ${VAR} interpolation) and its
// structure is asserted; the Dockerfile is parsed by BuildKit's parser and its build stage's commands
// are run on the host. It is a Go module of its own, so that these heavy dependencies stay out of the
// product's go.mod. Run it with `make compose-check`.
package composetest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v4"
)

// The project's own processes: subcommand of the one binary -> the port its ops endpoints listen on.
var shopServices = map[string]string{
	"inventory": "3000",
	"orders":    "3002",
	"payments":  "3004",
	"projector": "3006",
}

// Ports a person opens on the host: the APIs, the Temporal UI, RabbitMQ's management UI, Elasticsearch,
// Jaeger, Prometheus and Grafana.
var publishedPorts = map[string]string{
	"3000": "inventory", "3002": "orders", "3004": "payments",
	"8233": "temporal-ui", "15672": "rabbitmq", "9200": "elasticsearch", "16686": "jaeger",
	"9090": "prometheus", "3030": "grafana",
}

// Variables every project process gets (internal/config reads them).
var shopEnv = []string{"MONGO_URI", "TEMPORAL_ADDRESS", "RABBITMQ_URL", "PAYMENTS_URL", "INVENTORY_URL", "ELASTICSEARCH_URL", "ADMIN_TOKEN", "STOCK_API_TOKEN", "OTEL_EXPORTER_OTLP_ENDPOINT"}

const (
	healthy   = types.ServiceConditionHealthy
	completed = types.ServiceConditionCompletedSuccessfully
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatalf("the repository root is expected two levels up: %v", err)
	}
	if !strings.HasPrefix(string(mod), "module github.com/order-saga/shop\n") {
		t.Fatalf("%s/go.mod is not the shop module", root)
	}
	return root
}

// load reads docker-compose.yml the way `docker compose` does, with exactly the given host
// environment (not this process's), so that defaults like ${ADMIN_TOKEN:-…} are what is checked.
func load(t *testing.T, env ...string) *types.Project {
	t.Helper()
	root := repoRoot(t)
	opts, err := cli.NewProjectOptions([]string{filepath.Join(root, "docker-compose.yml")},
		cli.WithWorkingDirectory(root), cli.WithEnv(env))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load (Compose Specification): %v", err)
	}
	return p
}

func service(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, ok := p.Services[name]
	if !ok {
		t.Fatalf("service %q is missing; services: %v", name, p.ServiceNames())
	}
	return s
}

func env(t *testing.T, s types.ServiceConfig, name string) string {
	t.Helper()
	v, ok := s.Environment[name]
	if !ok || v == nil || *v == "" {
		t.Fatalf("service %s: environment %s is not set", s.Name, name)
	}
	return *v
}

// oneShots are the services others wait for to complete: jobs that run once and exit.
func oneShots(p *types.Project) map[string]bool {
	jobs := map[string]bool{}
	for _, s := range p.Services {
		for dep, d := range s.DependsOn {
			if d.Condition == completed {
				jobs[dep] = true
			}
		}
	}
	return jobs
}

func TestComposeFileLoads(t *testing.T) {
	p := load(t)
	want := []string{"mongo", "rabbitmq", "elasticsearch", "temporal", "temporal-ui", "jaeger", "prometheus", "grafana"}
	for name := range shopServices {
		want = append(want, name)
	}
	for _, name := range want {
		service(t, p, name)
	}
	t.Logf("project %q: %d services, start order %v", p.Name, len(p.Services), startOrder(t, p))
}

func TestOfficialPinnedImages(t *testing.T) {
	p := load(t)
	wantImage := map[string]string{
		"mongo":         "mongo:7",
		"rabbitmq":      "rabbitmq:3.13-management",
		"elasticsearch": "docker.elastic.co/elasticsearch/elasticsearch:8.19.7",
	}
	for name, image := range wantImage {
		if got := service(t, p, name).Image; got != image {
			t.Errorf("service %s: image %q, want %q", name, got, image)
		}
	}
	if img := service(t, p, "temporal-ui").Image; !strings.HasPrefix(img, "temporalio/ui:") {
		t.Errorf("temporal-ui: image %q, want temporalio/ui", img)
	}
	if img := service(t, p, "temporal").Image; !strings.HasPrefix(img, "temporalio/") {
		t.Errorf("temporal: image %q, want an official temporalio image", img)
	}
	for name, s := range p.Services {
		if s.Build != nil {
			continue // the project's own image
		}
		// Official images only: Docker Hub's library, Elastic's registry, the organisations of
		// Temporal, Jaeger, Prometheus and Grafana.
		official := !strings.Contains(strings.Split(s.Image, ":")[0], "/") ||
			strings.HasPrefix(s.Image, "docker.elastic.co/") || strings.HasPrefix(s.Image, "temporalio/") ||
			strings.HasPrefix(s.Image, "jaegertracing/jaeger:") ||
			strings.HasPrefix(s.Image, "prom/prometheus:") || strings.HasPrefix(s.Image, "grafana/grafana:")
		if !official {
			t.Errorf("service %s: image %q is not an official one", name, s.Image)
		}
		// Pinned: a tag that names a version, so that a start next year runs what was checked.
		i := strings.LastIndex(s.Image, ":")
		if i < 0 || strings.Contains(s.Image[i:], "/") || s.Image[i+1:] == "latest" {
			t.Errorf("service %s: image %q has no version tag", name, s.Image)
		}
	}
}

func TestShopServicesRunTheOneImage(t *testing.T) {
	p := load(t)
	root := repoRoot(t)
	image := ""
	for name := range shopServices {
		s := service(t, p, name)
		if s.Build == nil {
			t.Errorf("service %s: no build section; it must run the image built from the Dockerfile", name)
			continue
		}
		if s.Build.Context != root {
			t.Errorf("service %s: build context %q, want the repository root %q", name, s.Build.Context, root)
		}
		if s.Build.Dockerfile != "Dockerfile" {
			t.Errorf("service %s: dockerfile %q, want Dockerfile", name, s.Build.Dockerfile)
		}
		if image == "" {
			image = s.Image
		}
		if s.Image == "" || s.Image != image {
			t.Errorf("service %s: image %q; all project services must tag the same image (%q)", name, s.Image, image)
		}
		if !slices.Equal([]string(s.Command), []string{name}) {
			t.Errorf("service %s: command %q, want [%s] (the subcommand of cmd/shop)", name, s.Command, name)
		}
		if len(s.Entrypoint) != 0 {
			t.Errorf("service %s: entrypoint %q overrides the Dockerfile's", name, s.Entrypoint)
		}
	}
}

func TestPublishedPorts(t *testing.T) {
	p := load(t)
	for port, name := range publishedPorts {
		s := service(t, p, name)
		found := false
		for _, pc := range s.Ports {
			if pc.Published == port {
				found = true
			}
		}
		if !found {
			t.Errorf("service %s: host port %s is not published (ports: %+v)", name, port, s.Ports)
		}
	}
	if ui := service(t, p, "temporal-ui"); !publishes(ui, "8233", 8080) {
		t.Errorf("temporal-ui: want host 8233 -> container 8080, got %+v", ui.Ports)
	}
	if g := service(t, p, "grafana"); !publishes(g, "3030", 3000) {
		t.Errorf("grafana: want host 3030 -> container 3000 (3000 is the inventory's), got %+v", g.Ports)
	}
	for name, s := range p.Services {
		for _, pc := range s.Ports {
			if pc.HostIP != "127.0.0.1" {
				t.Errorf("service %s: port %s published on %q, want 127.0.0.1 only", name, pc.Published, pc.HostIP)
			}
		}
	}
	for name, port := range shopServices {
		if name == "projector" {
			continue // a consumer; its ops port stays inside the network
		}
		var n uint32
		fmt.Sscan(port, &n)
		if !publishes(service(t, p, name), port, n) {
			t.Errorf("service %s: want host %s -> container %s", name, port, port)
		}
	}
}

func publishes(s types.ServiceConfig, host string, target uint32) bool {
	for _, pc := range s.Ports {
		if pc.Published == host && pc.Target == target {
			return true
		}
	}
	return false
}

func TestHealthChecks(t *testing.T) {
	p := load(t)
	jobs := oneShots(p)
	for name, s := range p.Services {
		if jobs[name] {
			if s.Restart == types.RestartPolicyAlways || s.Restart == types.RestartPolicyUnlessStopped {
				t.Errorf("one-shot %s: restart %q would run it forever", name, s.Restart)
			}
			continue
		}
		if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) < 2 {
			t.Errorf("service %s: no health check", name)
			continue
		}
		if k := s.HealthCheck.Test[0]; k != "CMD" && k != "CMD-SHELL" {
			t.Errorf("service %s: health check test starts with %q, want CMD or CMD-SHELL", name, k)
		}
		if s.HealthCheck.Interval == nil || s.HealthCheck.Retries == nil || *s.HealthCheck.Retries == 0 {
			t.Errorf("service %s: health check without interval or retries", name)
		}
	}
	for name, port := range shopServices {
		test := strings.Join(service(t, p, name).HealthCheck.Test, " ")
		if !strings.Contains(test, "http://127.0.0.1:"+port+"/readyz") {
			t.Errorf("service %s: health check %q does not ask its own /readyz on :%s", name, test, port)
		}
		// The runtime image is alpine for exactly this: busybox wget (TestDockerfile checks the base).
		if !strings.HasPrefix(test, "CMD wget ") {
			t.Errorf("service %s: health check %q; the runtime image has wget, not curl", name, test)
		}
	}
}

// TestStartOrder checks what each service waits for: every dependency waits for health (or for a
// one-shot job to finish), never for a mere start, and the chain has no cycle.
func TestStartOrder(t *testing.T) {
	p := load(t)
	jobs := oneShots(p)
	for name, s := range p.Services {
		for dep, d := range s.DependsOn {
			target, ok := p.Services[dep]
			if !ok {
				t.Errorf("service %s depends on %q, which does not exist", name, dep)
				continue
			}
			switch d.Condition {
			case healthy:
				if target.HealthCheck == nil || target.HealthCheck.Disable {
					t.Errorf("service %s waits for %s to be healthy, which has no health check", name, dep)
				}
			case completed:
				if !jobs[dep] {
					t.Errorf("service %s waits for %s to complete, which is not a one-shot job", name, dep)
				}
			default:
				t.Errorf("service %s: depends on %s with condition %q; want %s or %s", name, dep, d.Condition, healthy, completed)
			}
		}
	}
	wants := map[string]map[string]string{
		"payments":    {"mongo": healthy},
		"inventory":   {"mongo": healthy, "rabbitmq": healthy, "elasticsearch": healthy, "temporal": healthy},
		"orders":      {"mongo": healthy, "rabbitmq": healthy, "elasticsearch": healthy, "temporal": healthy, "payments": healthy},
		"projector":   {"rabbitmq": healthy, "elasticsearch": healthy},
		"jaeger":      {"elasticsearch": healthy},
		"temporal-ui": {},
		"grafana":     {"prometheus": healthy},
	}
	for name, deps := range wants {
		s := service(t, p, name)
		for dep, cond := range deps {
			if got := s.DependsOn[dep].Condition; got != cond {
				t.Errorf("service %s: depends on %s with condition %q, want %q", name, dep, got, cond)
			}
		}
	}
	// The services that start workflows need the search attributes registered first: whichever job
	// registers them, inventory and orders wait for it to complete (directly or through others).
	registrar := ""
	for name := range jobs {
		cmd := strings.Join(service(t, p, name).Command, " ")
		if strings.Contains(cmd, "search-attribute create") {
			registrar = name
			for _, attr := range []string{"--name OrderStatus --type Keyword", "--name CustomerId --type Keyword"} {
				if !strings.Contains(strings.Join(strings.Fields(cmd), " "), attr) {
					t.Errorf("job %s does not register %q", name, attr)
				}
			}
		}
	}
	if registrar == "" {
		t.Fatal("no one-shot job runs `temporal operator search-attribute create`")
	}
	for _, name := range []string{"inventory", "orders", "temporal-ui"} {
		if !waitsFor(p, name, registrar, completed) {
			t.Errorf("service %s does not wait for %s to complete", name, registrar)
		}
	}
	startOrder(t, p)
}

func waitsFor(p *types.Project, from, to, cond string) bool {
	for dep, d := range p.Services[from].DependsOn {
		if dep == to && d.Condition == cond {
			return true
		}
		if waitsFor(p, dep, to, cond) {
			return true
		}
	}
	return false
}

// startOrder is the order Compose starts the services in; it fails on a dependency cycle.
func startOrder(t *testing.T, p *types.Project) []string {
	t.Helper()
	var order []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string, path []string)
	visit = func(name string, path []string) {
		switch state[name] {
		case 1:
			t.Fatalf("dependency cycle: %s", strings.Join(append(path, name), " -> "))
		case 2:
			return
		}
		state[name] = 1
		deps := make([]string, 0, len(p.Services[name].DependsOn))
		for dep := range p.Services[name].DependsOn {
			deps = append(deps, dep)
		}
		slices.Sort(deps)
		for _, dep := range deps {
			visit(dep, append(path, name))
		}
		state[name] = 2
		order = append(order, name)
	}
	names := p.ServiceNames()
	slices.Sort(names)
	for _, name := range names {
		visit(name, nil)
	}
	return order
}

// TestShopEnvironment checks that each process finds its dependencies under their compose names.
func TestShopEnvironment(t *testing.T) {
	p := load(t)
	mongo, rabbit := service(t, p, "mongo"), service(t, p, "rabbitmq")
	for name := range shopServices {
		s := service(t, p, name)
		for _, v := range shopEnv {
			env(t, s, v)
		}
		mongoURI := mustURL(t, env(t, s, "MONGO_URI"))
		if mongoURI.Scheme != "mongodb" || mongoURI.Host != "mongo:27017" {
			t.Errorf("service %s: MONGO_URI %s, want mongodb://mongo:27017/…", name, mongoURI)
		}
		rs := mongoURI.Query().Get("replicaSet")
		if rs == "" || !slices.Contains(mongo.Command, rs) {
			t.Errorf("service %s: MONGO_URI's replicaSet %q is not the one mongo runs (%q)", name, rs, mongo.Command)
		}
		if got := env(t, s, "TEMPORAL_ADDRESS"); got != "temporal:7233" {
			t.Errorf("service %s: TEMPORAL_ADDRESS %q, want temporal:7233", name, got)
		}
		amqp := mustURL(t, env(t, s, "RABBITMQ_URL"))
		pass, _ := amqp.User.Password()
		if amqp.Host != "rabbitmq:5672" || amqp.User.Username() != env(t, rabbit, "RABBITMQ_DEFAULT_USER") ||
			pass != env(t, rabbit, "RABBITMQ_DEFAULT_PASS") {
			t.Errorf("service %s: RABBITMQ_URL %s does not match rabbitmq's host or default user", name, amqp.Redacted())
		}
		if got := env(t, s, "PAYMENTS_URL"); got != "http://payments:3004" {
			t.Errorf("service %s: PAYMENTS_URL %q, want http://payments:3004", name, got)
		}
		if got := env(t, s, "INVENTORY_URL"); got != "http://inventory:3000" {
			t.Errorf("service %s: INVENTORY_URL %q, want http://inventory:3000", name, got)
		}
		if got := env(t, s, "ELASTICSEARCH_URL"); got != "http://elasticsearch:9200" {
			t.Errorf("service %s: ELASTICSEARCH_URL %q, want http://elasticsearch:9200", name, got)
		}
		if got := env(t, s, "ADMIN_TOKEN"); got != "change-me" {
			t.Errorf("service %s: ADMIN_TOKEN %q without a host value, want the default change-me", name, got)
		}
	}
	// The host's ADMIN_TOKEN wins over the default.
	p = load(t, "ADMIN_TOKEN=from-the-host")
	for name := range shopServices {
		if got := env(t, service(t, p, name), "ADMIN_TOKEN"); got != "from-the-host" {
			t.Errorf("service %s: ADMIN_TOKEN %q, want the host's value", name, got)
		}
	}
}

// TestVariablesAreRead checks that every variable given to the project's processes is one
// internal/config reads: a misspelt name would silently leave the local-stack default in place.
func TestVariablesAreRead(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repoRoot(t), "internal", "config", "config.go"))
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]bool{}
	for _, m := range envTag.FindAllStringSubmatch(string(src), -1) {
		read[m[1]] = true
	}
	p := load(t)
	for name := range shopServices {
		for v := range service(t, p, name).Environment {
			if strings.HasPrefix(v, "OTEL_") {
				continue // the OpenTelemetry SDK's own variables, read through internal/telemetry
			}
			if !read[v] {
				t.Errorf("service %s: %s is not a variable internal/config reads", name, v)
			}
		}
	}
	// The projector's health check asks the port its ops endpoints listen on.
	if got := env(t, service(t, p, "projector"), "PROJECTOR_ADDR"); got != ":"+shopServices["projector"] {
		t.Errorf("projector: PROJECTOR_ADDR %q, want :%s", got, shopServices["projector"])
	}
}

var envTag = regexp.MustCompile(`env:"([A-Z0-9_]+)"`)

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	return u
}

func TestMongoReplicaSet(t *testing.T) {
	p := load(t)
	m := service(t, p, "mongo")
	i := slices.Index(m.Command, "--replSet")
	if i < 0 || i+1 >= len(m.Command) {
		t.Fatalf("mongo: command %q does not start a replica set", m.Command)
	}
	rs := m.Command[i+1]
	test := strings.Join(m.HealthCheck.Test, " ")
	for _, want := range []string{"rs.initiate(", "_id: '" + rs + "'", "host: 'mongo:27017'", "isWritablePrimary"} {
		if !strings.Contains(test, want) {
			t.Errorf("mongo: health check %q lacks %q (it initiates the replica set and waits for a primary)", test, want)
		}
	}
}

func TestElasticsearch(t *testing.T) {
	p := load(t)
	es := service(t, p, "elasticsearch")
	for k, want := range map[string]string{
		"discovery.type":         "single-node",
		"xpack.security.enabled": "false",
		"ES_JAVA_OPTS":           "-Xms512m -Xmx512m",
	} {
		if got := env(t, es, k); got != want {
			t.Errorf("elasticsearch: %s=%q, want %q", k, got, want)
		}
	}
}

func TestTemporal(t *testing.T) {
	p := load(t)
	tp := service(t, p, "temporal")
	path := env(t, tp, "DYNAMIC_CONFIG_FILE_PATH")
	var content string
	for _, c := range tp.Configs {
		if c.Target == path {
			cfg, ok := p.Configs[c.Source]
			if !ok {
				t.Fatalf("temporal: config %q is not defined", c.Source)
			}
			content = cfg.Content
		}
	}
	if content == "" {
		t.Fatalf("temporal: nothing is mounted at DYNAMIC_CONFIG_FILE_PATH %s", path)
	}
	var dc map[string][]map[string]any
	if err := yaml.Unmarshal([]byte(content), &dc); err != nil {
		t.Fatalf("temporal: dynamic config is not valid: %v", err)
	}
	for key, want := range map[string]any{
		"history.transferProcessorMaxPollRPS": 1000,
		"system.enableActivityEagerExecution": true,
	} {
		if v := dc[key]; len(v) != 1 || v[0]["value"] != want {
			t.Errorf("temporal: dynamic config %s = %v, want [{value: %v}]", key, v, want)
		}
	}
	ui := service(t, p, "temporal-ui")
	if got := env(t, ui, "TEMPORAL_ADDRESS"); got != "temporal:7233" {
		t.Errorf("temporal-ui: TEMPORAL_ADDRESS %q, want temporal:7233", got)
	}
}

// TestNamedVolumes checks that every server keeping data keeps it in a named volume, which survives
// `docker compose down` (only `down -v` removes it).
func TestNamedVolumes(t *testing.T) {
	p := load(t)
	for name, target := range map[string]string{
		"mongo":             "/data/db",
		"rabbitmq":          "/var/lib/rabbitmq",
		"elasticsearch":     "/usr/share/elasticsearch/data",
		"temporal-postgres": "/var/lib/postgresql/data",
		"prometheus":        "/prometheus",
		"grafana":           "/var/lib/grafana",
	} {
		ok := false
		for _, v := range service(t, p, name).Volumes {
			if v.Target == target && v.Type == types.VolumeTypeVolume {
				if _, declared := p.Volumes[v.Source]; declared {
					ok = true
				}
			}
		}
		if !ok {
			t.Errorf("service %s: no named volume at %s", name, target)
		}
	}
}
