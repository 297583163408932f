package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/workers"
	"github.com/order-saga/shop/workflows"
)

// Forward steps run as activities that Temporal retries under the step's policy (steps.go).

func TestStepParksWhenItsTimeBoundPasses(t *testing.T) {
	f := &fakeShop{failures: map[string]int{activities.ReserveStockName: 100_000}}
	env := newEnv(t, f)
	in := input
	in.Policy = workflows.StepPolicy{MaxAttempts: 1000, StepTimeout: time.Minute, ParkDeadline: time.Hour}
	// The SDK's test environment stops the retries at the bound with the last failure (the server
	// says "timed out" too: integration_test.go checks the reason there).
	env.RegisterDelayedCallback(func() {
		rec := queryStatus(t, env)
		require.Equal(t, domain.StatusNeedsAttention, rec.Status, "parked within the bound, its attempts far from spent")
		reserve := stepNamed(rec, workflows.StepReserveStock)
		require.Equal(t, "ReserveStock is down", reserve.LastError)
		require.Equal(t, f.count(activities.ReserveStockName), reserve.Attempts, "the attempt number of that failure")
		require.Less(t, reserve.Attempts, 20)
		decide(env, t, workflows.ActionCompensate)
	}, 10*time.Minute)
	env.ExecuteWorkflow(workflows.OrderSaga, in)
	rec := result(t, env)
	require.Equal(t, domain.StatusCancelled, rec.Status)
	require.Equal(t, []domain.OrderStatus{
		domain.StatusPending, domain.StatusNeedsAttention, domain.StatusCompensating, domain.StatusCancelled,
	}, f.statuses())
}

func TestSpentPolicyParksWithTemporalsAttemptCount(t *testing.T) {
	f := &fakeShop{failures: map[string]int{activities.ReserveStockName: 5}}
	env := newEnv(t, f)
	env.RegisterDelayedCallback(func() {
		rec := queryStatus(t, env)
		require.Equal(t, domain.StatusNeedsAttention, rec.Status)
		require.Equal(t, "reserve-stock failed 3 times; last error: ReserveStock is down", rec.Reason)
		decide(env, t, workflows.ActionRetry) // a fresh budget of 3: attempts 4 and 5 fail, 6 succeeds
	}, 10*time.Minute)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(workflows.Fulfill, nil) }, 20*time.Minute)
	env.ExecuteWorkflow(workflows.OrderSaga, parkingInput())
	rec := result(t, env)
	require.Equal(t, domain.StatusCompleted, rec.Status)
	require.Equal(t, 6, f.count(activities.ReserveStockName))
	require.Equal(t, 3, stepNamed(lastRecordWith(f, domain.StatusNeedsAttention), workflows.StepReserveStock).Attempts)
	require.Equal(t, 5, stepNamed(rec, workflows.StepReserveStock).Attempts, "the local attempt and 2 counted by Temporal, then after the retry the local attempt and the run that succeeded")
}

func TestCancelStopsAStepThatKeepsFailing(t *testing.T) {
	f := &fakeShop{failures: map[string]int{activities.ReserveStockName: 100_000}}
	env := newEnv(t, f)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.Cancel, workflows.CancelRequest{Reason: "gave up"})
	}, time.Second)
	env.ExecuteWorkflow(workflows.OrderSaga, input) // the default policy: 10 attempts, about 80 s
	rec := result(t, env)

	require.Equal(t, domain.StatusCancelled, rec.Status)
	require.Equal(t, "cancelled: gave up", rec.Reason)
	require.Less(t, f.count(activities.ReserveStockName), workflows.DefaultMaxAttempts, "the retries stopped at the cancel")
	require.Equal(t, activities.ReleaseStockName, f.calls[len(f.calls)-1], "a reservation that may have happened is released")
	require.Equal(t, []domain.OrderStatus{domain.StatusPending, domain.StatusCompensating, domain.StatusCancelled}, f.statuses())
}

func TestPaymentFallsBackToARegularActivity(t *testing.T) {
	tests := []struct {
		name                  string
		failures              int
		wantLocal, wantRemote int
	}{
		{"succeeds locally", 0, 1, 0},
		{"fails locally once", 1, 1, 1},
		{"fails eight times", 8, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeShop{failures: map[string]int{activities.CapturePaymentName: tt.failures}}
			env := newEnv(t, f)
			history := &historyCounter{}
			env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{workers.NewAttemptInterceptor(), history}})
			env.RegisterDelayedCallback(func() { env.SignalWorkflow(workflows.Fulfill, nil) }, time.Hour)
			env.ExecuteWorkflow(workflows.OrderSaga, input)
			require.Equal(t, domain.StatusCompleted, result(t, env).Status)
			require.Equal(t, tt.failures+1, f.count(activities.CapturePaymentName))
			require.Equal(t, tt.wantLocal, history.count("local:"+activities.CapturePaymentName))
			require.Equal(t, tt.wantRemote, history.count("activity:"+activities.CapturePaymentName), "one activity however many attempts")
			require.Zero(t, history.count("timer"), "no timers of the saga's own between attempts")
		})
	}
}
