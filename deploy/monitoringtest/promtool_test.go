// Package monitoringtest checks the monitoring that deploy/ ships: Prometheus's configuration and
// alert rules with promtool (`check config`, `check rules`, and `test rules`, which feeds the rules
// synthetic series and expects given alerts), the rules' and the Grafana dashboard's metric names
// against those the services export (deploy/prometheus/exported-metrics.txt, kept true to a scrape by
// cmd/shop's TestExportedMetrics), and the dashboard's shape. promtool is built from the Go module
// proxy at the version this module pins (`go tool promtool`, cached by Go after the first build). It
// is a module of its own, so that Prometheus's dependencies stay out of the product's go.mod. Run it
// with `make compose-check`.
package monitoringtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// Paths of what is checked, from this folder.
const (
	prometheusDir   = "../prometheus"
	grafanaDir      = "../grafana"
	readme          = "../../README.md"
	alertsFile      = prometheusDir + "/alerts.yml"
	alertTestsFile  = prometheusDir + "/alerts_test.yml"
	prometheusFile  = prometheusDir + "/prometheus.yml"
	exportedMetrics = prometheusDir + "/exported-metrics.txt"
	dashboardFile   = grafanaDir + "/dashboards/order-flow.json"
	datasourceFile  = grafanaDir + "/provisioning/datasources/prometheus.yml"
)

// promtoolTags leaves out Prometheus's optional service discoveries (cloud SDKs), which the
// configuration does not use (static targets only): a smaller first build. (`go tool` takes no build
// tags, so promtool is built with `go build`.)
const promtoolTags = "remove_all_sd"

// promtool runs promtool with args and returns its output; it fails the test when promtool does.
func promtool(t *testing.T, args ...string) string {
	t.Helper()
	out, err := promtoolCmd(t, args...).CombinedOutput()
	require.NoError(t, err, "promtool %s:\n%s", strings.Join(args, " "), out)
	return string(out)
}

var (
	promtoolOnce sync.Once
	promtoolPath string
	promtoolErr  error
)

// promtoolCmd is the command running promtool with args: the binary PROMTOOL names (`make
// monitoring-check` builds it into bin/ once), or else one built here from this module's pinned
// version (minutes the first time on a machine; then Go's cache makes it a link of some seconds).
func promtoolCmd(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	promtoolOnce.Do(func() {
		if promtoolPath = os.Getenv("PROMTOOL"); promtoolPath != "" {
			return
		}
		dir, err := os.MkdirTemp("", "promtool")
		if err != nil {
			promtoolErr = err
			return
		}
		promtoolPath = filepath.Join(dir, "promtool")
		version, err := pinnedPrometheus()
		if err != nil {
			promtoolErr = err
			return
		}
		out, err := exec.Command("go", "build", "-tags", promtoolTags, "-ldflags", "-X "+versionVar+"="+version,
			"-o", promtoolPath, "github.com/prometheus/prometheus/cmd/promtool").CombinedOutput()
		if err != nil {
			promtoolErr = fmt.Errorf("go build promtool: %w\n%s", err, out)
		}
	})
	require.NoError(t, promtoolErr)
	return exec.Command(promtoolPath, args...)
}

// versionVar is where a Prometheus binary keeps its version; the builds stamp the module version.
const versionVar = "github.com/prometheus/common/version.Version"

// pinnedPrometheus is the version of github.com/prometheus/prometheus this module requires.
func pinnedPrometheus() (string, error) {
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`(?m)^\s*github\.com/prometheus/prometheus (v\S+)`).FindSubmatch(mod)
	if m == nil {
		return "", errors.New("go.mod requires no github.com/prometheus/prometheus")
	}
	return string(m[1]), nil
}

// TestPromtoolIsThePinnedBuild: the promtool that runs is the version this module pins (a stale
// build in bin/ fails here), built without the cloud discoveries (a configuration using one is
// refused), so what passes here is what prom/prometheus of the same version loads.
func TestPromtoolIsThePinnedBuild(t *testing.T) {
	version, err := pinnedPrometheus()
	require.NoError(t, err)
	require.Contains(t, promtool(t, "--version"), "promtool, version "+version+" ")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "ec2.yml")
	require.NoError(t, os.WriteFile(cfg, []byte("scrape_configs:\n  - job_name: x\n    ec2_sd_configs: [{region: eu-west-1}]\n"), 0o644))
	out, err := promtoolCmd(t, "check", "config", cfg).CombinedOutput()
	require.Error(t, err, "%s", out)
	require.Contains(t, string(out), "field ec2_sd_configs not found")
}

func TestPrometheusConfigIsValid(t *testing.T) {
	out := promtool(t, "check", "config", prometheusFile)
	require.Contains(t, out, "SUCCESS: "+prometheusFile+" is valid prometheus config file syntax")
	require.Contains(t, out, "SUCCESS: 1 rule files found", "prometheus.yml loads alerts.yml")
}

func TestAlertRulesAreValid(t *testing.T) {
	out := promtool(t, "check", "rules", alertsFile)
	require.Contains(t, out, "SUCCESS")
}

// TestAlertRulesUnitTests runs alerts_test.yml: each case feeds synthetic series to the rules and
// expects exactly the alerts listed (labels and rendered annotations) at each evaluation time.
func TestAlertRulesUnitTests(t *testing.T) {
	out := promtool(t, "test", "rules", alertTestsFile)
	require.Contains(t, out, "SUCCESS")
}

// TestPromtoolFailsABrokenRule makes sure the checks above can fail: a rule of unknown syntax and a
// unit test expecting an alert that does not fire are both refused.
func TestPromtoolFailsABrokenRule(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		return path
	}
	broken := write("broken.yml", "groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: rate(x[5m]) >\n")
	out, err := promtoolCmd(t, "check", "rules", broken).CombinedOutput()
	require.Error(t, err, "a rule that does not parse must fail: %s", out)

	write("rules.yml", "groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: x > 0\n        for: 5m\n")
	tests := write("rules_test.yml", `rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'x'
        values: '1x10'
    alert_rule_test:
      - eval_time: 2m
        alertname: X
        exp_alerts: [{exp_labels: {}}]
`)
	out, err = promtoolCmd(t, "test", "rules", tests).CombinedOutput()
	require.Error(t, err, "an alert expected before its `for:` has passed must fail: %s", out)
	require.Contains(t, string(out), "FAILED")
}
