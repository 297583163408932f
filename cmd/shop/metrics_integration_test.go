//go:build integration

package main

import (
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/order-saga/shop/internal/metricstest"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/internal/testenv"
)

// exportedMetricsFile lists every metric family the processes serve on /metrics (bar the Go runtime's
// go_*, which change with the Go version): deploy/monitoringtest checks each metric the alerts and the
// dashboard use against it, so a renamed metric fails there, and this test keeps it true to a scrape.
const exportedMetricsFile = "../../deploy/prometheus/exported-metrics.txt"

// scrape reads a process's /metrics.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	return families
}

// sample is the value of one series of a scrape (a histogram's count); -1 when there is none.
func sample(families map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	return metricstest.Value(metricstest.Series(families, name, labels))
}

// TestExportedMetrics runs the four processes docker-compose.yml runs (the real binary, with
// Elasticsearch, on databases, queues and indices of this test's own), places one order and reads
// every /metrics: the order moves the flow's metrics in every process, and the families served are
// those exported-metrics.txt lists (UPDATE_EXPORTED_METRICS=1 rewrites it).
func TestExportedMetrics(t *testing.T) {
	s, _, queue := startSearchSystem(t, testenv.ElasticsearchURL(t), "METRICS_POLL_INTERVAL=500ms")
	s.product("MET-A", 5, "2.50")
	r := s.call("orders", "POST", "/api/v1/orders", `{"productCode":"MET-A","quantity":2}`)
	require.Equal(t, http.StatusCreated, r.status, string(r.raw))

	// The order went through every process: each counted it.
	require.Eventually(t, func() bool {
		return sample(scrape(t, s.urls["projector"]), "events_consumed_total", map[string]string{"queue": queue, "outcome": "acked"}) >= 1
	}, 30*time.Second, 200*time.Millisecond, "the projector acks the order's events")
	orders, inventory, projector := scrape(t, s.urls["orders"]), scrape(t, s.urls["inventory"]), scrape(t, s.urls["projector"])
	for _, status := range []string{"PENDING", "RESERVED", "CONFIRMED"} {
		require.Equal(t, 1.0, sample(orders, "orders_transitions_total", map[string]string{"status": status}), status)
	}
	require.Equal(t, 0.0, sample(orders, "orders_transitions_total", map[string]string{"status": "NEEDS_ATTENTION"}))
	require.Equal(t, 0.0, sample(orders, "orders_parked", nil))
	// Reserve and commit ran as the order worker's local activities, through the inventory's API.
	require.GreaterOrEqual(t, sample(orders, "saga_step_duration_seconds", map[string]string{"activity": "ReserveStockViaAPI"}), 1.0)
	require.GreaterOrEqual(t, sample(orders, "saga_step_duration_seconds", map[string]string{"activity": "CommitStockViaAPI"}), 1.0)
	require.Equal(t, 0.0, sample(inventory, "saga_compensation_attempts_failed_total", map[string]string{"activity": "ReleaseStock"}))
	require.GreaterOrEqual(t, sample(inventory, "inventory_ledger_append_attempts", map[string]string{"kind": "reservation"}), 1.0)
	require.GreaterOrEqual(t, sample(projector, "events_consume_lag_seconds", map[string]string{"queue": queue}), 1.0)
	require.Equal(t, 0.0, sample(projector, "events_queue_messages", map[string]string{"queue": queue + ".dead"}))
	require.Equal(t, 0.0, sample(projector, "events_consumed_total", map[string]string{"queue": queue, "outcome": "dead_lettered"}))

	// Every family any process serves, with its type, label names and the processes serving it.
	type family struct {
		typ      string
		labels   map[string]bool
		services map[string]bool
	}
	served := map[string]*family{}
	for _, svc := range []string{"inventory", "orders", "payments", "projector"} {
		scrape(t, s.urls[svc]) // a first scrape, so that the request metrics hold a /metrics request
		for name, f := range scrape(t, s.urls[svc]) {
			if strings.HasPrefix(name, "go_") {
				continue
			}
			if served[name] == nil {
				served[name] = &family{typ: strings.ToLower(f.GetType().String()), labels: map[string]bool{}, services: map[string]bool{}}
			}
			served[name].services[svc] = true
			for _, m := range f.GetMetric() {
				for _, l := range m.GetLabel() {
					served[name].labels[l.GetName()] = true
				}
			}
		}
	}
	var b strings.Builder
	b.WriteString("# The metric families the processes serve on /metrics (Go runtime's go_* aside): name, type,\n" +
		"# label names, processes. Written by TestExportedMetrics (cmd/shop, integration) from a scrape of the\n" +
		"# running processes: UPDATE_EXPORTED_METRICS=1 go test -tags integration -run TestExportedMetrics ./cmd/shop\n")
	for _, name := range slices.Sorted(maps.Keys(served)) {
		f := served[name]
		labels := strings.Join(slices.Sorted(maps.Keys(f.labels)), ",")
		if labels == "" {
			labels = "-"
		}
		fmt.Fprintf(&b, "%s %s %s %s\n", name, f.typ, labels, strings.Join(slices.Sorted(maps.Keys(f.services)), ","))
	}
	path := filepath.FromSlash(exportedMetricsFile)
	if os.Getenv("UPDATE_EXPORTED_METRICS") == "1" {
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(want), b.String(),
		"the processes serve other metrics than %s lists: check the alerts and the dashboard, then rerun with UPDATE_EXPORTED_METRICS=1", exportedMetricsFile)
}
