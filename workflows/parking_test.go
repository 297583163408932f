package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/workflows"
)

// parkingInput retries a step 3 times before parking, and waits an hour for an operator.
func parkingInput() workflows.OrderInput {
	in := input
	in.Policy = workflows.StepPolicy{MaxAttempts: 3, ParkDeadline: time.Hour}
	return in
}

func lastRecordWith(f *fakeShop, status domain.OrderStatus) orders.Order {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.records) - 1; i >= 0; i-- {
		if f.records[i].Status == status {
			return f.records[i]
		}
	}
	return orders.Order{}
}

func decide(env *testsuite.TestWorkflowEnvironment, t *testing.T, action string) {
	env.UpdateWorkflow(workflows.OperatorDecision, "d-"+action, &testsuite.TestUpdateCallback{
		OnAccept: func() {}, OnReject: func(err error) { t.Errorf("decision %s rejected: %v", action, err) },
		OnComplete: func(any, error) {},
	}, workflows.Decision{Action: action, Operator: "ops@example"})
}

func TestStepOutOfRetriesParksThenOperatorRetries(t *testing.T) {
	f := &fakeShop{failures: map[string]int{activities.CapturePaymentName: 3}} // fails exactly the budget
	env := newEnv(t, f)
	env.RegisterDelayedCallback(func() {
		rec := queryStatus(t, env)
		require.Equal(t, domain.StatusNeedsAttention, rec.Status)
		require.Contains(t, rec.Reason, "capture-payment failed 3 times")
		require.Contains(t, rec.Reason, "CapturePayment is down")
		decide(env, t, workflows.ActionRetry)
	}, 10*time.Minute)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(workflows.Fulfill, nil) }, 20*time.Minute)
	env.ExecuteWorkflow(workflows.OrderSaga, parkingInput())
	rec := result(t, env)

	require.Equal(t, domain.StatusCompleted, rec.Status)
	require.Equal(t, []domain.OrderStatus{
		domain.StatusPending, domain.StatusReserved, domain.StatusNeedsAttention, domain.StatusReserved,
		domain.StatusConfirmed, domain.StatusCompleted,
	}, f.statuses(), "parked, then back to RESERVED by the operator's retry")
	parked := lastRecordWith(f, domain.StatusNeedsAttention)
	for _, s := range parked.Steps {
		if s.Name == workflows.StepCapturePayment {
			require.Equal(t, 3, s.Attempts, "the stored order says how many attempts")
			require.Equal(t, "CapturePayment is down", s.LastError)
		}
	}
	for _, s := range rec.Steps {
		if s.Name == workflows.StepCapturePayment {
			require.Equal(t, 4, s.Attempts, "one more attempt, on a fresh budget")
		}
	}
}

func TestOperatorCompensatesAParkedSaga(t *testing.T) {
	f := &fakeShop{failures: map[string]int{activities.CommitStockName: 1000}}
	env := newEnv(t, f)
	env.RegisterDelayedCallback(func() { decide(env, t, workflows.ActionCompensate) }, 10*time.Minute)
	env.ExecuteWorkflow(workflows.OrderSaga, parkingInput())
	rec := result(t, env)

	require.Equal(t, domain.StatusCancelled, rec.Status)
	require.Contains(t, rec.Reason, "compensated by operator ops@example")
	require.ElementsMatch(t, []string{activities.VoidPaymentName, activities.ReleaseStockName}, f.calls[len(f.calls)-2:])
	require.Equal(t, []domain.OrderStatus{
		domain.StatusPending, domain.StatusReserved, domain.StatusNeedsAttention, domain.StatusCompensating, domain.StatusCancelled,
	}, f.statuses())
}

func TestParkedSagaCompensatesAtTheDeadline(t *testing.T) {
	f := &fakeShop{failures: map[string]int{activities.ReserveStockName: 1000}}
	env := newEnv(t, f)
	env.ExecuteWorkflow(workflows.OrderSaga, parkingInput())
	rec := result(t, env)

	require.Equal(t, domain.StatusCancelled, rec.Status)
	require.Contains(t, rec.Reason, "no operator decision within 1h0m0s")
	require.Equal(t, activities.ReleaseStockName, f.calls[len(f.calls)-1], "a reservation that may have happened is released")
	require.Equal(t, []domain.OrderStatus{
		domain.StatusPending, domain.StatusNeedsAttention, domain.StatusCompensating, domain.StatusCancelled,
	}, f.statuses())
}

func TestCancelWhileParked(t *testing.T) {
	f := &fakeShop{failures: map[string]int{activities.AuthorizePaymentName: 1000}}
	env := newEnv(t, f)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.Cancel, workflows.CancelRequest{Reason: "gave up"})
	}, 10*time.Minute)
	env.ExecuteWorkflow(workflows.OrderSaga, parkingInput())
	rec := result(t, env)

	require.Equal(t, domain.StatusCancelled, rec.Status)
	require.Equal(t, "cancelled: gave up", rec.Reason)
	require.ElementsMatch(t, []string{activities.VoidPaymentName, activities.ReleaseStockName}, f.calls[len(f.calls)-2:])
}

func TestOperatorDecisionIsRefusedUnlessParked(t *testing.T) {
	f := &fakeShop{}
	env := newEnv(t, f)
	var refused error
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.OperatorDecision, "d", &testsuite.TestUpdateCallback{
			OnAccept: func() { t.Error("a decision for a CONFIRMED order was accepted") },
			OnReject: func(err error) { refused = err }, OnComplete: func(any, error) {},
		}, workflows.Decision{Action: workflows.ActionRetry})
		env.SignalWorkflow(workflows.Fulfill, nil)
	}, time.Minute)
	env.ExecuteWorkflow(workflows.OrderSaga, parkingInput())
	require.Equal(t, domain.StatusCompleted, result(t, env).Status)
	require.ErrorContains(t, refused, "only a parked order")
}
