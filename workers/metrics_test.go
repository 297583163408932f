package workers_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/order-saga/shop/internal/metricstest"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/workers"
)

// series finds one series of a family in reg by its labels; nil when there is none.
func series(t *testing.T, reg prometheus.Gatherer, name string, labels map[string]string) *dto.Metric {
	t.Helper()
	return metricstest.Series(metricstest.Gather(t, reg), name, labels)
}

// TestMetricsCountAttemptsAndSteps runs one activity that fails a number of times before it succeeds,
// under the SDK's test environment with the metrics interceptor, and reads what it counted: each
// attempt by outcome, the attempt that completed the step, and failed attempts of compensations only.
func TestMetricsCountAttemptsAndSteps(t *testing.T) {
	tests := []struct {
		activity             string
		failures             int
		compensationFailures float64 // want; -1: no such series
	}{
		{activities.ReserveStockName, 0, -1},
		{activities.AuthorizePaymentName, 2, -1},
		{activities.ReleaseStockName, 3, 3},
		{activities.RefundPaymentName, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.activity, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestWorkflowEnvironment()
			workers.NewMetricsInterceptor(reg) // another worker of the same process: the two share the series
			env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{workers.NewMetricsInterceptor(reg)}})
			var calls atomic.Int32
			env.RegisterActivityWithOptions(func(context.Context) error {
				if int(calls.Add(1)) <= tt.failures {
					return errors.New("away")
				}
				return nil
			}, activity.RegisterOptions{Name: tt.activity})
			env.RegisterWorkflowWithOptions(func(ctx workflow.Context) error {
				ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute,
					RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 10}})
				return workflow.ExecuteActivity(ctx, tt.activity).Get(ctx, nil)
			}, workflow.RegisterOptions{Name: "Runs"})
			env.ExecuteWorkflow("Runs")
			require.NoError(t, env.GetWorkflowError())

			attempts := func(outcome string) uint64 {
				m := series(t, reg, "saga_activity_attempt_duration_seconds", map[string]string{"activity": tt.activity, "outcome": outcome})
				if m == nil {
					return 0
				}
				return m.GetHistogram().GetSampleCount()
			}
			require.Equal(t, uint64(tt.failures), attempts("failed"))
			require.Equal(t, uint64(1), attempts("completed"))
			step := series(t, reg, "saga_step_attempts", map[string]string{"activity": tt.activity})
			require.NotNil(t, step)
			require.Equal(t, uint64(1), step.GetHistogram().GetSampleCount(), "one step")
			require.Equal(t, float64(tt.failures+1), step.GetHistogram().GetSampleSum(), "completed on its last attempt")
			duration := series(t, reg, "saga_step_duration_seconds", map[string]string{"activity": tt.activity})
			require.NotNil(t, duration)
			require.Equal(t, uint64(1), duration.GetHistogram().GetSampleCount())

			problems, err := testutil.GatherAndLint(reg)
			require.NoError(t, err)
			require.Empty(t, problems, "Prometheus naming conventions")

			failed := series(t, reg, "saga_compensation_attempts_failed_total", map[string]string{"activity": tt.activity})
			if tt.compensationFailures < 0 {
				require.Nil(t, failed, "only compensations count here")
				return
			}
			require.NotNil(t, failed)
			require.Equal(t, tt.compensationFailures, failed.GetCounter().GetValue())
		})
	}
}
