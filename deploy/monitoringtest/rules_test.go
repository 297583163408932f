package monitoringtest

import (
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// requiredAlerts are the conditions the issue asks to alert on, each by its rule's name.
var requiredAlerts = map[string]string{
	"OrdersParked":         "orders parked",
	"CompensationRetrying": "compensation retrying",
	"EventsDeadLettered":   "dead letters",
	"ProjectorLagging":     "projector lag",
	"LogRecordsDropped":    "log records dropped",
}

// runbookSection is the README's operator guide to the alerts; every rule's runbook points at it.
const (
	runbookHeading = "### What to do when an alert fires"
	runbookAnchor  = "README.md#what-to-do-when-an-alert-fires"
)

func newParser() parser.Parser { return parser.NewParser(parser.Options{}) }

// alertRules parses alerts.yml as Prometheus does.
func alertRules(t *testing.T) []rulefmt.Rule {
	t.Helper()
	groups, errs := rulefmt.ParseFile(alertsFile, false, model.UTF8Validation, newParser(), slog.New(slog.DiscardHandler))
	require.Empty(t, errs)
	var rules []rulefmt.Rule
	for _, g := range groups.Groups {
		rules = append(rules, g.Rules...)
	}
	require.NotEmpty(t, rules)
	return rules
}

// TestAlertRulesSayWhatToDo: every alert waits out a `for:`, carries a severity, a summary, a
// description and a runbook pointing at the README's operator guide, whose section names it.
func TestAlertRulesSayWhatToDo(t *testing.T) {
	guide := readmeSection(t, runbookHeading)
	names := map[string]bool{}
	for _, r := range alertRules(t) {
		t.Run(r.Alert, func(t *testing.T) {
			require.NotEmpty(t, r.Alert, "recording rules belong in another file")
			require.False(t, names[r.Alert], "alert names are unique")
			names[r.Alert] = true
			require.Greater(t, time.Duration(r.For), time.Duration(0), "a `for:` rides out one bad scrape")
			require.Contains(t, []string{"warning", "critical"}, r.Labels["severity"])
			for _, a := range []string{"summary", "description", "runbook"} {
				require.NotEmpty(t, strings.TrimSpace(r.Annotations[a]), "annotation %s", a)
			}
			require.True(t, strings.HasPrefix(r.Annotations["runbook"], runbookAnchor+" ("+r.Alert+")"),
				"runbook %q must point at %s (%s)", r.Annotations["runbook"], runbookAnchor, r.Alert)
			require.Contains(t, guide, "**"+r.Alert+"**", "the README's operator guide tells what to do about %s", r.Alert)
		})
	}
	for name, what := range requiredAlerts {
		require.True(t, names[name], "no alert on %s (%s)", what, name)
	}
}

// readmeSection returns the README's text from heading to the next heading of the same or a higher level.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	raw, err := os.ReadFile(readme)
	require.NoError(t, err)
	text := string(raw)
	i := strings.Index(text, "\n"+heading+"\n")
	require.GreaterOrEqual(t, i, 0, "README.md has no %q", heading)
	rest := text[i+len(heading)+2:]
	level := strings.Repeat("#", strings.Index(heading, " "))
	if end := regexp.MustCompile(`(?m)^#{1,` + itoa(len(level)) + `} `).FindStringIndex(rest); end != nil {
		rest = rest[:end[0]]
	}
	return rest
}

func itoa(n int) string { return string(rune('0' + n)) }

// alertTests is what alerts_test.yml holds, as far as these checks read it.
type alertTests struct {
	RuleFiles []string `yaml:"rule_files"`
	Tests     []struct {
		InputSeries []struct {
			Series string `yaml:"series"`
		} `yaml:"input_series"`
		AlertRuleTest []struct {
			Alertname string `yaml:"alertname"`
			ExpAlerts []any  `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	} `yaml:"tests"`
}

func readAlertTests(t *testing.T) alertTests {
	t.Helper()
	raw, err := os.ReadFile(alertTestsFile)
	require.NoError(t, err)
	var at alertTests
	require.NoError(t, yaml.Unmarshal(raw, &at))
	return at
}

// TestEveryAlertIsTested: each alert of alerts.yml has a unit test case in which it fires, and one
// in which it does not (before its `for:` has passed, or on series that must not set it off).
func TestEveryAlertIsTested(t *testing.T) {
	at := readAlertTests(t)
	require.Equal(t, []string{"alerts.yml"}, at.RuleFiles)
	fires, silent := map[string]bool{}, map[string]bool{}
	for _, tc := range at.Tests {
		for _, a := range tc.AlertRuleTest {
			if len(a.ExpAlerts) > 0 {
				fires[a.Alertname] = true
			} else {
				silent[a.Alertname] = true
			}
		}
	}
	var rules []string
	for _, r := range alertRules(t) {
		rules = append(rules, r.Alert)
		require.True(t, fires[r.Alert], "no test case in which %s fires", r.Alert)
		require.True(t, silent[r.Alert], "no test case in which %s stays silent", r.Alert)
	}
	for name := range fires {
		require.True(t, slices.Contains(rules, name), "alerts_test.yml tests %s, which alerts.yml does not have", name)
	}
}
