package monitoringtest

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// dashboard is what these checks read of a Grafana dashboard's JSON model.
type dashboard struct {
	UID           string  `json:"uid"`
	Title         string  `json:"title"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
}

type panel struct {
	ID         int         `json:"id"`
	Type       string      `json:"type"`
	Title      string      `json:"title"`
	Datasource *datasource `json:"datasource"`
	GridPos    struct {
		H, W, X, Y int
	} `json:"gridPos"`
	Targets []struct {
		RefID      string      `json:"refId"`
		Expr       string      `json:"expr"`
		Datasource *datasource `json:"datasource"`
	} `json:"targets"`
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

func readDashboard(t *testing.T) dashboard {
	t.Helper()
	raw, err := os.ReadFile(dashboardFile)
	require.NoError(t, err)
	var d dashboard
	require.NoError(t, json.Unmarshal(raw, &d), "the dashboard is JSON")
	return d
}

// provisionedDatasourceUID is the uid of the Prometheus data source Grafana is provisioned with.
func provisionedDatasourceUID(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(datasourceFile)
	require.NoError(t, err)
	var p struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Name, UID, Type, URL string
			Access               string
		} `yaml:"datasources"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &p))
	require.Equal(t, 1, p.APIVersion)
	require.Len(t, p.Datasources, 1)
	ds := p.Datasources[0]
	require.Equal(t, "prometheus", ds.Type)
	require.Equal(t, "http://prometheus:9090", ds.URL, "the compose service prometheus")
	require.Equal(t, "proxy", ds.Access, "Grafana's server reaches Prometheus, not the browser")
	require.NotEmpty(t, ds.UID)
	return ds.UID
}

// grafanaVariables stand in for what Grafana puts in an expression before it reaches Prometheus.
var grafanaVariables = strings.NewReplacer("$__rate_interval", "1m", "$__interval", "15s", "$__range", "1h")

// TestDashboardPanels: every panel asks the provisioned data source, has a unique id and a place on
// the 24-column grid that no other panel takes, and every query parses as PromQL and reads only
// metrics the services export, with the labels they have.
func TestDashboardPanels(t *testing.T) {
	d := readDashboard(t)
	uid := provisionedDatasourceUID(t)
	require.Equal(t, "order-saga-flow", d.UID, "links and bookmarks use the uid")
	require.NotEmpty(t, d.Title)
	require.GreaterOrEqual(t, d.SchemaVersion, 36)
	families := readExported(t)

	ids := map[int]bool{}
	taken := map[[2]int]string{} // grid cell -> panel
	queries := 0
	for _, p := range d.Panels {
		require.False(t, ids[p.ID], "panel id %d twice", p.ID)
		ids[p.ID] = true
		g := p.GridPos
		require.True(t, g.W > 0 && g.H > 0 && g.X >= 0 && g.X+g.W <= 24 && g.Y >= 0, "panel %q: gridPos %+v", p.Title, g)
		for x := g.X; x < g.X+g.W; x++ {
			for y := g.Y; y < g.Y+g.H; y++ {
				require.Empty(t, taken[[2]int{x, y}], "panels %q and %q overlap", taken[[2]int{x, y}], p.Title)
				taken[[2]int{x, y}] = p.Title
			}
		}
		if p.Type == "row" {
			continue
		}
		require.NotEmpty(t, p.Title)
		require.NotNil(t, p.Datasource, "panel %q: no data source", p.Title)
		require.Equal(t, datasource{Type: "prometheus", UID: uid}, *p.Datasource, "panel %q", p.Title)
		require.NotEmpty(t, p.Targets, "panel %q: no query", p.Title)
		refs := map[string]bool{}
		for _, tg := range p.Targets {
			require.False(t, refs[tg.RefID], "panel %q: refId %s twice", p.Title, tg.RefID)
			refs[tg.RefID] = true
			if tg.Datasource != nil {
				require.Equal(t, uid, tg.Datasource.UID, "panel %q", p.Title)
			}
			require.Empty(t, exprProblems(families, "panel "+p.Title, grafanaVariables.Replace(tg.Expr)))
			queries++
		}
	}
	require.Positive(t, queries)
}

// TestDashboardShowsTheOrderFlow: the dashboard has what the issue asks of it, each found by the
// metric (and, for latency, the quantiles) its queries read.
func TestDashboardShowsTheOrderFlow(t *testing.T) {
	d := readDashboard(t)
	var exprs []string
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	uses := func(want func(parser.Expr) bool) bool {
		for _, e := range exprs {
			node, err := newParser().ParseExpr(grafanaVariables.Replace(e))
			require.NoError(t, err)
			if want(node) {
				return true
			}
		}
		return false
	}
	reads := func(metric string, matchers ...string) func(parser.Expr) bool {
		return func(node parser.Expr) bool {
			found := false
			parser.Inspect(node, func(n parser.Node, _ []parser.Node) error {
				if vs, ok := n.(*parser.VectorSelector); ok && vs.Name == metric {
					all := true
					for _, m := range matchers {
						all = all && strings.Contains(vs.String(), m)
					}
					found = found || all
				}
				return nil
			})
			return found
		}
	}
	quantile := func(q string, metric string) func(parser.Expr) bool {
		return func(node parser.Expr) bool {
			s := node.String()
			return strings.HasPrefix(s, "histogram_quantile("+q+",") && reads(metric)(node)
		}
	}
	for what, want := range map[string]func(parser.Expr) bool{
		"order rates by status":  reads("orders_transitions_total"),
		"step latency p50":       quantile("0.5", "saga_step_duration_seconds_bucket"),
		"step latency p99":       quantile("0.99", "saga_step_duration_seconds_bucket"),
		"parked orders":          reads("orders_parked"),
		"ledger append attempts": reads("inventory_ledger_append_attempts_bucket"),
		"projector lag":          quantile("0.99", "events_consume_lag_seconds_bucket"),
		"queue depth":            reads("events_queue_messages"),
		"dead letters":           reads("events_consumed_total", `outcome="dead_lettered"`),
		"compensations failing":  reads("saga_compensation_attempts_failed_total"),
		"log records dropped":    reads("shop_log_records_dropped_total"),
	} {
		require.True(t, uses(want), "the dashboard shows no %s", what)
	}
}
