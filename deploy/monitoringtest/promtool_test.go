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
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
// configuration does not use (static targets only): a much smaller first build.
const promtoolTags = "remove_all_sd"

// promtool runs `go tool promtool args...` and returns its output; it fails the test when promtool
// does. The first run on a machine builds promtool (several minutes); Go caches the binary.
func promtool(t *testing.T, args ...string) string {
	t.Helper()
	out, err := promtoolCmd(args...).CombinedOutput()
	require.NoError(t, err, "promtool %s:\n%s", strings.Join(args, " "), out)
	return string(out)
}

// promtoolCmd is the command `go tool promtool args...`, built with promtoolTags.
func promtoolCmd(args ...string) *exec.Cmd {
	cmd := exec.Command("go", append([]string{"tool", "promtool"}, args...)...)
	cmd.Env = append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -tags="+promtoolTags))
	return cmd
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
	out, err := promtoolCmd("check", "rules", broken).CombinedOutput()
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
	out, err = promtoolCmd("test", "rules", tests).CombinedOutput()
	require.Error(t, err, "an alert expected before its `for:` has passed must fail: %s", out)
	require.Contains(t, string(out), "FAILED")
}
