//go:build integration

package workers_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/workers"
)

// TestMetricsOnTheDevServer: a worker built with WithMetrics has the series of every activity it
// registered before any runs (so the first failure shows as an increase), and on the dev server a
// compensation that fails twice before it succeeds counts two failed attempts, and its step's
// duration runs from the first scheduling, the retries' backoff included.
func TestMetricsOnTheDevServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := testenv.Temporal(t)
	queue := testenv.UniqueName(t, "metrics")
	reg := prometheus.NewRegistry()

	var calls atomic.Int32
	release := func(context.Context, string) error {
		if calls.Add(1) <= 2 {
			return errors.New("inventory away")
		}
		return nil
	}
	compensate := func(ctx workflow.Context) error {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second,
			RetryPolicy: &temporal.RetryPolicy{InitialInterval: 300 * time.Millisecond, BackoffCoefficient: 2}})
		return workflow.ExecuteActivity(ctx, activities.ReleaseStockName, "o1").Get(ctx, nil)
	}
	w := workers.NewWithOptions(c, queue, []workers.Option{workers.WithMetrics(reg)}, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(compensate, workflow.RegisterOptions{Name: "Compensates"})
		r.RegisterActivityWithOptions(release, activity.RegisterOptions{Name: activities.ReleaseStockName})
	})

	failed := series(t, reg, "saga_compensation_attempts_failed_total", map[string]string{"activity": activities.ReleaseStockName})
	require.NotNil(t, failed, "the series exists before the first attempt")
	require.Zero(t, failed.GetCounter().GetValue())
	for _, outcome := range []string{"completed", "failed"} {
		require.NotNil(t, series(t, reg, "saga_activity_attempt_duration_seconds",
			map[string]string{"activity": activities.ReleaseStockName, "outcome": outcome}), outcome)
	}

	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: queue, TaskQueue: queue}, "Compensates")
	require.NoError(t, err)
	require.NoError(t, run.Get(ctx, nil))

	failed = series(t, reg, "saga_compensation_attempts_failed_total", map[string]string{"activity": activities.ReleaseStockName})
	require.Equal(t, 2.0, failed.GetCounter().GetValue())
	step := series(t, reg, "saga_step_duration_seconds", map[string]string{"activity": activities.ReleaseStockName}).GetHistogram()
	require.Equal(t, uint64(1), step.GetSampleCount())
	require.GreaterOrEqual(t, step.GetSampleSum(), 0.8, "0.3 s and 0.6 s of backoff before the third attempt")
	attempts := series(t, reg, "saga_step_attempts", map[string]string{"activity": activities.ReleaseStockName}).GetHistogram()
	require.Equal(t, 3.0, attempts.GetSampleSum())
}
