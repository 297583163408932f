//go:build integration

package workers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/order-saga/shop/internal/logship"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/workers"
	"github.com/order-saga/shop/workflows"
)

// esClient returns a client of the Elasticsearch in ELASTICSEARCH_URL (default the local one) and
// fails, never skips, when it does not answer.
func esClient(t *testing.T) *elasticsearch.Client {
	t.Helper()
	url := os.Getenv("ELASTICSEARCH_URL")
	if url == "" {
		url = "http://127.0.0.1:9200"
	}
	es, err := elasticsearch.NewClient(elasticsearch.Config{Addresses: []string{url}})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := es.Cluster.Health(es.Cluster.Health.WithContext(ctx))
	if err == nil {
		res.Body.Close()
		if res.IsError() {
			err = fmt.Errorf("cluster health: %s", res.Status())
		}
	}
	if err != nil {
		t.Fatalf("elasticsearch at %s does not answer: %v (set ELASTICSEARCH_URL, or start the local stack)", url, err)
	}
	return es
}

// logsOfOrder refreshes the log indices and returns the records with orderId, oldest first.
func logsOfOrder(t *testing.T, es *elasticsearch.Client, orderID string) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	res, err := es.Indices.Refresh(es.Indices.Refresh.WithIndex(logship.IndexPrefix+"*"), es.Indices.Refresh.WithContext(ctx))
	require.NoError(t, err)
	res.Body.Close()
	require.False(t, res.IsError(), res.String())

	// Sorted by time, then by insertion (one bulk worker keeps the order; _doc breaks timestamp ties).
	query := fmt.Sprintf(`{"size": 100, "sort": [{"@timestamp": "asc"}, "_doc"], "query": {"term": {"orderId": %q}}}`, orderID)
	res, err = es.Search(es.Search.WithIndex(logship.IndexPrefix+"*"), es.Search.WithBody(strings.NewReader(query)),
		es.Search.WithContext(ctx))
	require.NoError(t, err)
	defer res.Body.Close()
	require.False(t, res.IsError(), res.String())
	var out struct {
		Hits struct {
			Hits []struct {
				Source map[string]any `json:"_source"`
			} `json:"hits"`
		} `json:"hits"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	var records []map[string]any
	for _, h := range out.Hits.Hits {
		records = append(records, h.Source)
	}
	return records
}

// TestActivityLogsReachElasticsearchByOrderID runs a flaky activity and a local one for workflow
// order-<id> on a real worker with the shipping logger, then finds their records in Elasticsearch by
// orderId: every execution's start and end, and what the activity logged itself, with its attempt.
func TestActivityLogsReachElasticsearchByOrderID(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	es := esClient(t)
	c := testenv.Temporal(t)

	ship, err := logship.New(logship.Config{Client: es, Service: "workers-test", Registerer: prometheus.NewRegistry(),
		Problems: slog.NewJSONHandler(os.Stderr, nil)})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		require.NoError(t, ship.Close(ctx))
	})
	log := slog.New(ship.Handler(slog.NewJSONHandler(io.Discard, nil)))

	queue := testenv.UniqueName(t, "logs")
	orderID := testenv.UniqueName(t, "o")
	w := workers.NewWithOptions(c, queue, []workers.Option{workers.WithLogger(log)}, registerLoggedSteps)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)

	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.OrderWorkflowID(orderID), TaskQueue: queue},
		loggedSteps)
	require.NoError(t, err)
	require.NoError(t, run.Get(ctx, nil))

	want := wantSteps(orderID)
	var got []step
	require.Eventually(t, func() bool {
		if err := ship.Flush(ctx); err != nil {
			t.Logf("flush: %v", err)
			return false
		}
		got = got[:0]
		for _, r := range logsOfOrder(t, es, orderID) {
			got = append(got, stepOf(r))
		}
		return len(got) >= len(want)
	}, 60*time.Second, 500*time.Millisecond, "records of order %s in Elasticsearch", orderID)
	require.Equal(t, want, got)
}
