package workers_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/order-saga/shop/workers"
	"github.com/order-saga/shop/workflows"
)

// TestFailuresCarryTheirAttempt: whatever an activity fails with reaches the workflow with its
// message, type and non-retryable flag as they were, and the attempt that failed in its details.
func TestFailuresCarryTheirAttempt(t *testing.T) {
	tests := []struct {
		name         string
		fail         error
		attempts     int32 // the policy's
		wantType     string
		nonRetryable bool
	}{
		{"plain error, retried", errors.New("down"), 3, "", false},
		{"typed retryable", temporal.NewApplicationError("down", "Outage", false, nil), 2, "Outage", false},
		{"refusal", temporal.NewNonRetryableApplicationError("down", "Declined", nil), 5, "Declined", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestWorkflowEnvironment()
			env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{workers.NewAttemptInterceptor()}})
			env.RegisterActivityWithOptions(func(context.Context) error { return tt.fail }, activity.RegisterOptions{Name: "Fails"})
			env.RegisterWorkflowWithOptions(func(ctx workflow.Context) error {
				ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute,
					RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: tt.attempts}})
				return workflow.ExecuteActivity(ctx, "Fails").Get(ctx, nil)
			}, workflow.RegisterOptions{Name: "Runs"})
			env.ExecuteWorkflow("Runs")

			var appErr *temporal.ApplicationError
			require.ErrorAs(t, env.GetWorkflowError(), &appErr)
			require.Equal(t, "down", appErr.Message())
			require.Equal(t, tt.wantType, appErr.Type())
			require.Equal(t, tt.nonRetryable, appErr.NonRetryable())
			var d workflows.FailureDetails
			require.NoError(t, appErr.Details(&d))
			want := tt.attempts
			if tt.nonRetryable {
				want = 1
			}
			require.Equal(t, want, d.Attempt)
		})
	}
}
