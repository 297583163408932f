//go:build integration

package workers_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/order-saga/shop/internal/logship"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/workers"
	"github.com/order-saga/shop/workflows"
)

// TestActivityLogsReachElasticsearchByOrderID runs a flaky activity and a local one for workflow
// order-<id> on a real worker with the shipping logger, then finds their records in Elasticsearch by
// orderId: every execution's end (its start is Debug), with its attempt.
func TestActivityLogsReachElasticsearchByOrderID(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	es := testenv.Elasticsearch(t)
	c := testenv.Temporal(t)

	ship, err := logship.New(logship.Config{Client: es, Service: "workers-test", Registerer: prometheus.NewRegistry(),
		Problems: slog.NewJSONHandler(os.Stderr, nil)})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		require.NoError(t, ship.Close(ctx))
	})
	log := slog.New(ship.Handler(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug})))

	queue := testenv.UniqueName(t, "logs")
	orderID := testenv.UniqueName(t, "o")
	w := workers.NewWithOptions(c, queue, []workers.Option{workers.WithLogger(log)}, registerLoggedSteps)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)

	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.OrderWorkflowID(orderID), TaskQueue: queue},
		loggedSteps)
	require.NoError(t, err)
	require.NoError(t, run.Get(ctx, nil))

	want := wantSteps(orderID, slog.LevelDebug)
	var got []step
	require.Eventually(t, func() bool {
		if err := ship.Flush(ctx); err != nil {
			t.Logf("flush: %v", err)
			return false
		}
		got = got[:0]
		for _, r := range testenv.OrderLogs(t, orderID) {
			got = append(got, stepOf(r))
		}
		return len(got) >= len(want)
	}, 60*time.Second, 500*time.Millisecond, "records of order %s in Elasticsearch", orderID)
	require.Equal(t, want, got)
}
