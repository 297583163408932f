package monitoringtest

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/require"
)

// exported is one metric family the services serve (a line of exported-metrics.txt).
type exported struct {
	typ    string
	labels map[string]bool
}

// readExported reads exported-metrics.txt: "name type label,label,... process,process".
func readExported(t *testing.T) map[string]exported {
	t.Helper()
	f, err := os.Open(exportedMetrics)
	require.NoError(t, err)
	defer f.Close()
	families := map[string]exported{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		require.Len(t, fields, 4, "line %q", line)
		e := exported{typ: fields[1], labels: map[string]bool{}}
		if fields[2] != "-" {
			for _, l := range strings.Split(fields[2], ",") {
				e.labels[l] = true
			}
		}
		families[fields[0]] = e
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, families)
	return families
}

// targetLabels are the labels Prometheus adds to every scraped series.
var targetLabels = map[string]bool{"job": true, "instance": true}

// prometheusOwn are series Prometheus makes itself: a target's health, its alerts.
var prometheusOwn = map[string]map[string]bool{
	"up":     {},
	"ALERTS": {"alertname": true, "alertstate": true, "severity": true},
}

// seriesLabels returns the labels a selector of name may match on, or false when no process exports
// a series of that name: a family's own, or a histogram's _bucket (with le), _sum and _count.
func seriesLabels(families map[string]exported, name string) (map[string]bool, bool) {
	if own, ok := prometheusOwn[name]; ok {
		return own, true
	}
	if f, ok := families[name]; ok && f.typ != "histogram" && f.typ != "summary" {
		return f.labels, true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		base, found := strings.CutSuffix(name, suffix)
		if f, ok := families[base]; found && ok && (f.typ == "histogram" || (f.typ == "summary" && suffix != "_bucket")) {
			if suffix == "_bucket" {
				withLe := map[string]bool{"le": true}
				for l := range f.labels {
					withLe[l] = true
				}
				return withLe, true
			}
			return f.labels, true
		}
	}
	return nil, false
}

// selectorProblems says where matchers select a metric no process exports, or match on a label it lacks.
func selectorProblems(families map[string]exported, where string, matchers []*labels.Matcher) []string {
	name := ""
	for _, m := range matchers {
		if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
			name = m.Value
		}
	}
	if name == "" {
		return []string{where + ": a selector without a metric name"}
	}
	have, ok := seriesLabels(families, name)
	if !ok {
		return []string{fmt.Sprintf("%s: no process exports %s (%s); renamed?", where, name, exportedMetrics)}
	}
	var problems []string
	for _, m := range matchers {
		if m.Name != labels.MetricName && !targetLabels[m.Name] && !have[m.Name] {
			problems = append(problems, fmt.Sprintf("%s: %s has no label %q", where, name, m.Name))
		}
	}
	return problems
}

// exprProblems checks every selector of a PromQL expression and the labels it groups by.
func exprProblems(families map[string]exported, where, expr string) []string {
	node, err := newParser().ParseExpr(expr)
	if err != nil {
		return []string{fmt.Sprintf("%s: %s: %v", where, expr, err)}
	}
	var problems []string
	known := map[string]bool{"le": true}
	for l := range targetLabels {
		known[l] = true
	}
	parser.Inspect(node, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			problems = append(problems, selectorProblems(families, where, vs.LabelMatchers)...)
			have, _ := seriesLabels(families, vs.Name)
			for l := range have {
				known[l] = true
			}
		}
		return nil
	})
	parser.Inspect(node, func(n parser.Node, _ []parser.Node) error {
		if agg, ok := n.(*parser.AggregateExpr); ok && !agg.Without {
			for _, l := range agg.Grouping {
				if !known[l] {
					problems = append(problems, fmt.Sprintf("%s: groups by %q, which none of its metrics has", where, l))
				}
			}
		}
		return nil
	})
	return problems
}

// TestAlertsUseExportedMetrics: every metric an alert reads, and every series its unit tests feed in,
// is one the services export, with the labels used; so a renamed metric fails here and not in production.
func TestAlertsUseExportedMetrics(t *testing.T) {
	families := readExported(t)
	for _, r := range alertRules(t) {
		require.Empty(t, exprProblems(families, "alert "+r.Alert, r.Expr))
	}
	p := newParser()
	for _, tc := range readAlertTests(t).Tests {
		for _, in := range tc.InputSeries {
			matchers, err := p.ParseMetricSelector(in.Series)
			require.NoError(t, err, in.Series)
			require.Empty(t, selectorProblems(families, "alerts_test.yml series "+in.Series, matchers))
		}
	}
}

// TestMetricNameCheckCanFail: the check refuses a name nobody exports, a label the metric lacks, a
// histogram's bucket of a counter and a grouping by an unknown label.
func TestMetricNameCheckCanFail(t *testing.T) {
	families := map[string]exported{
		"orders_parked":              {typ: "gauge", labels: map[string]bool{}},
		"orders_transitions_total":   {typ: "counter", labels: map[string]bool{"status": true}},
		"saga_step_duration_seconds": {typ: "histogram", labels: map[string]bool{"activity": true}},
	}
	for _, tc := range []struct {
		expr string
		ok   bool
	}{
		{`max(orders_parked) > 0`, true},
		{`sum by (status) (rate(orders_transitions_total{job="orders"}[5m]))`, true},
		{`histogram_quantile(0.99, sum by (le, activity) (rate(saga_step_duration_seconds_bucket[5m])))`, true},
		{`max(orders_parked_total) > 0`, false},
		{`rate(orders_transitions_total{state="x"}[5m])`, false},
		{`rate(orders_transitions_total_bucket[5m])`, false},
		{`sum by (queue) (rate(orders_transitions_total[5m]))`, false},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			problems := exprProblems(families, "case", tc.expr)
			require.Equal(t, tc.ok, len(problems) == 0, "problems: %v", problems)
		})
	}
}
