package composetest

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v4"
)

// bindMount returns the service's bind mount at target, failing the test when there is none.
func bindMount(t *testing.T, s types.ServiceConfig, target string) types.ServiceVolumeConfig {
	t.Helper()
	for _, v := range s.Volumes {
		if v.Target == target && v.Type == types.VolumeTypeBind {
			return v
		}
	}
	t.Fatalf("service %s: nothing from the repository is mounted at %s (volumes %+v)", s.Name, target, s.Volumes)
	return types.ServiceVolumeConfig{}
}

func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestPrometheus checks that Prometheus runs the configuration deploy/ holds (read-only, the file
// `promtool check config` passes in deploy/monitoringtest) at the version of that promtool, and that
// the configuration scrapes every project process and Temporal's exporter at the addresses compose
// gives them.
func TestPrometheus(t *testing.T) {
	p := load(t)
	root := repoRoot(t)
	prom := service(t, p, "prometheus")
	cfg := bindMount(t, prom, "/etc/prometheus")
	if cfg.Source != filepath.Join(root, "deploy", "prometheus") || !cfg.ReadOnly {
		t.Errorf("prometheus: /etc/prometheus from %q (read-only %v), want deploy/prometheus read-only", cfg.Source, cfg.ReadOnly)
	}
	if !slices.Contains(prom.Command, "--config.file=/etc/prometheus/prometheus.yml") {
		t.Errorf("prometheus: command %q does not load /etc/prometheus/prometheus.yml", prom.Command)
	}
	// The Prometheus that runs is the one whose promtool checked the files: module v0.3MM.P is 3.MM.P.
	mod, err := os.ReadFile(filepath.Join(root, "deploy", "monitoringtest", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`github.com/prometheus/prometheus v0\.3(\d\d)\.(\d+)`).FindStringSubmatch(string(mod))
	if m == nil {
		t.Fatal("deploy/monitoringtest/go.mod pins no github.com/prometheus/prometheus v0.3xx.y")
	}
	if want := "prom/prometheus:v3." + strings.TrimLeft(m[1], "0") + "." + m[2]; prom.Image != want {
		t.Errorf("prometheus: image %q, want %q (the version of the promtool that checks the rules)", prom.Image, want)
	}

	var conf struct {
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	readYAML(t, filepath.Join(root, "deploy", "prometheus", "prometheus.yml"), &conf)
	if !slices.Equal(conf.RuleFiles, []string{"alerts.yml"}) {
		t.Errorf("prometheus.yml: rule_files %q, want [alerts.yml]", conf.RuleFiles)
	}
	targets := map[string][]string{}
	for _, sc := range conf.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			targets[sc.JobName] = append(targets[sc.JobName], st.Targets...)
		}
	}
	// Temporal's exporter listens where PROMETHEUS_ENDPOINT says.
	_, temporalPort, err := net.SplitHostPort(env(t, service(t, p, "temporal"), "PROMETHEUS_ENDPOINT"))
	if err != nil {
		t.Fatalf("temporal: PROMETHEUS_ENDPOINT: %v", err)
	}
	want := map[string]string{"temporal": "temporal:" + temporalPort}
	for name, port := range shopServices {
		want[name] = name + ":" + port // the job is named after the process: alerts and panels use it
	}
	for job, target := range want {
		if !slices.Equal(targets[job], []string{target}) {
			t.Errorf("prometheus.yml: job %s scrapes %q, want [%s]", job, targets[job], target)
		}
	}
	for job, ts := range targets {
		for _, target := range ts {
			host, _, err := net.SplitHostPort(target)
			if err != nil {
				t.Errorf("prometheus.yml: job %s: target %q: %v", job, target, err)
				continue
			}
			if _, ok := p.Services[host]; !ok && host != "localhost" {
				t.Errorf("prometheus.yml: job %s scrapes %s, which is no compose service", job, target)
			}
		}
	}
}

// TestGrafana checks that Grafana is provisioned from deploy/grafana: the data source points at the
// compose service prometheus, and the dashboards provider reads the folder the dashboards are mounted at.
func TestGrafana(t *testing.T) {
	p := load(t)
	root := repoRoot(t)
	g := service(t, p, "grafana")
	prov := bindMount(t, g, "/etc/grafana/provisioning")
	dash := bindMount(t, g, "/var/lib/grafana/dashboards")
	for _, v := range []types.ServiceVolumeConfig{prov, dash} {
		if !v.ReadOnly || !strings.HasPrefix(v.Source, filepath.Join(root, "deploy", "grafana")+string(filepath.Separator)) {
			t.Errorf("grafana: %s mounted from %q (read-only %v), want deploy/grafana/… read-only", v.Target, v.Source, v.ReadOnly)
		}
	}
	if got := env(t, g, "GF_SECURITY_ADMIN_PASSWORD"); got != "admin" {
		t.Errorf("grafana: admin password %q without GRAFANA_ADMIN_PASSWORD, want admin", got)
	}
	if got := env(t, service(t, load(t, "GRAFANA_ADMIN_PASSWORD=s3cret"), "grafana"), "GF_SECURITY_ADMIN_PASSWORD"); got != "s3cret" {
		t.Errorf("grafana: the host's GRAFANA_ADMIN_PASSWORD is not used (got %q)", got)
	}
	home := env(t, g, "GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")
	rel, err := filepath.Rel(dash.Target, home)
	if err != nil || strings.HasPrefix(rel, "..") {
		t.Errorf("grafana: home dashboard %s is not under %s", home, dash.Target)
	} else if _, err := os.Stat(filepath.Join(dash.Source, rel)); err != nil {
		t.Errorf("grafana: home dashboard %s: %v", home, err)
	}

	var ds struct {
		Datasources []struct {
			UID, Type, URL string
		} `yaml:"datasources"`
	}
	readYAML(t, filepath.Join(prov.Source, "datasources", "prometheus.yml"), &ds)
	prom := service(t, p, "prometheus")
	if len(ds.Datasources) != 1 || ds.Datasources[0].URL != "http://prometheus:9090" || !publishes(prom, "9090", 9090) {
		t.Errorf("grafana: data sources %+v, want one at http://prometheus:9090 (the service prometheus listens on 9090)", ds.Datasources)
	}

	var providers struct {
		Providers []struct {
			Type    string
			Options struct{ Path string }
		} `yaml:"providers"`
	}
	readYAML(t, filepath.Join(prov.Source, "dashboards", "order-saga.yml"), &providers)
	if len(providers.Providers) != 1 || providers.Providers[0].Type != "file" || providers.Providers[0].Options.Path != dash.Target {
		t.Errorf("grafana: dashboard providers %+v, want one of type file reading %s", providers.Providers, dash.Target)
	}
	entries, err := os.ReadDir(dash.Source)
	if err != nil || !slices.ContainsFunc(entries, func(e os.DirEntry) bool { return strings.HasSuffix(e.Name(), ".json") }) {
		t.Errorf("grafana: no dashboard JSON in %s (%v)", dash.Source, err)
	}
}
