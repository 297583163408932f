package workflows_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/workflows"
)

func TestHappyPathConfirmsThenCompletes(t *testing.T) {
	f := &fakeShop{}
	env := newEnv(t, f)
	env.RegisterDelayedCallback(func() {
		var rec orders.Order
		rec = queryStatus(t, env)
		require.Equal(t, domain.StatusConfirmed, rec.Status, "waiting for fulfilment")
		env.SignalWorkflow(workflows.Fulfill, nil)
	}, time.Hour)
	env.ExecuteWorkflow(workflows.OrderSaga, input)

	rec := result(t, env)
	require.Equal(t, domain.StatusCompleted, rec.Status)
	require.Equal(t, int64(3*1999+2*250), rec.TotalMinor, "the exact sum of unit price × quantity")
	require.Equal(t, "USD", rec.Currency)
	require.Equal(t, "pay_o-1", rec.PaymentID)
	require.Equal(t, forwardSteps, f.calls)
	require.Equal(t, []domain.OrderStatus{domain.StatusPending, domain.StatusReserved, domain.StatusConfirmed, domain.StatusCompleted}, f.statuses())
	for i, r := range f.records {
		require.Equal(t, int64(i+1), r.Seq, "each transition has the next sequence number")
	}
	for _, s := range rec.Steps {
		require.Equal(t, orders.StepCompleted, s.State, s.Name)
		require.Equal(t, 1, s.Attempts, s.Name)
	}
}

func TestRejections(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"unknown product", temporal.NewNonRetryableApplicationError("unknown product Z", activities.ErrTypeUnknownProduct, nil)},
		{"out of stock", temporal.NewNonRetryableApplicationError("insufficient stock of A: requested 3, available 1", activities.ErrTypeInsufficientStock, nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeShop{reserveErr: tt.err}
			env := newEnv(t, f)
			env.ExecuteWorkflow(workflows.OrderSaga, input)
			rec := result(t, env)
			require.Equal(t, domain.StatusRejected, rec.Status)
			require.Contains(t, rec.Reason, tt.err.(*temporal.ApplicationError).Message())
			require.Equal(t, []string{activities.ReserveStockName}, f.calls, "nothing to compensate: the inventory rolled back itself")
			require.Equal(t, []domain.OrderStatus{domain.StatusPending, domain.StatusRejected}, f.statuses())
			require.Equal(t, orders.StepFailed, stepStates(rec)[workflows.StepReserveStock])
		})
	}
}

func TestDeclinedPaymentReleasesStock(t *testing.T) {
	f := &fakeShop{authorizeErr: temporal.NewNonRetryableApplicationError("card declined", activities.ErrTypePaymentDeclined, domain.ErrPaymentDeclined)}
	env := newEnv(t, f)
	env.ExecuteWorkflow(workflows.OrderSaga, input)
	rec := result(t, env)
	require.Equal(t, domain.StatusFailed, rec.Status)
	require.Contains(t, rec.Reason, "payment declined")
	require.Equal(t, []string{activities.ReserveStockName, activities.AuthorizePaymentName, activities.ReleaseStockName}, f.calls)
	require.Equal(t, []domain.OrderStatus{domain.StatusPending, domain.StatusReserved, domain.StatusCompensating, domain.StatusFailed}, f.statuses())
	require.Equal(t, orders.StepCompensated, stepStates(rec)[workflows.StepReleaseStock])
}

func TestCancelBeforeConfirmationCompensatesInReverse(t *testing.T) {
	// Authorization fails twice (its local attempt, then its first regular one); Temporal waits 200 ms
	// to retry, and the customer cancels meanwhile: the activity is cancelled at once, and the (maybe
	// half-done) authorization is voided.
	f := &fakeShop{failures: map[string]int{activities.AuthorizePaymentName: 2}}
	env := newEnv(t, f)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.Cancel, workflows.CancelRequest{Reason: "changed my mind"})
	}, 100*time.Millisecond)
	env.ExecuteWorkflow(workflows.OrderSaga, input)
	rec := result(t, env)

	require.Equal(t, domain.StatusCancelled, rec.Status)
	require.Equal(t, "cancelled: changed my mind", rec.Reason)
	require.Equal(t, []string{activities.ReserveStockName, activities.AuthorizePaymentName, activities.AuthorizePaymentName}, f.calls[:3])
	require.ElementsMatch(t, []string{activities.VoidPaymentName, activities.ReleaseStockName}, f.calls[3:],
		"the authorization is voided and the stock released, side by side")
	require.Equal(t, []domain.OrderStatus{domain.StatusPending, domain.StatusReserved, domain.StatusCompensating, domain.StatusCancelled}, f.statuses())
	steps := stepStates(rec)
	require.Equal(t, orders.StepPending, steps[workflows.StepCommitStock], "never started")
}

func TestCancelAfterConfirmationRefundsAndRestocks(t *testing.T) {
	f := &fakeShop{}
	env := newEnv(t, f)
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.Cancel, "u1", &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { t.Errorf("cancel of a CONFIRMED order was rejected: %v", err) },
			OnComplete: func(v any, err error) {
				require.NoError(t, err)
				require.Equal(t, domain.StatusCancelled, v.(orders.Order).Status, "the update answers once compensated")
			},
		}, workflows.CancelRequest{Reason: "too slow"})
	}, time.Hour)
	env.ExecuteWorkflow(workflows.OrderSaga, input)
	rec := result(t, env)

	require.Equal(t, domain.StatusCancelled, rec.Status)
	require.Equal(t, forwardSteps, f.calls[:4])
	require.ElementsMatch(t, []string{activities.RefundPaymentName, activities.ReleaseStockName}, f.calls[4:], "refund and restock")
	require.Equal(t, []domain.OrderStatus{domain.StatusPending, domain.StatusReserved, domain.StatusConfirmed, domain.StatusCompensating, domain.StatusCancelled}, f.statuses())
}

func TestCancellingTheWorkflowStillCompensates(t *testing.T) {
	f := &fakeShop{}
	env := newEnv(t, f)
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Hour)
	env.ExecuteWorkflow(workflows.OrderSaga, input)

	require.True(t, env.IsWorkflowCompleted())
	require.True(t, temporal.IsCanceledError(env.GetWorkflowError()), "the workflow ends as cancelled")
	require.Equal(t, forwardSteps, f.calls[:4])
	require.ElementsMatch(t, []string{activities.RefundPaymentName, activities.ReleaseStockName}, f.calls[4:],
		"compensations ran in a disconnected context")
	require.Equal(t, domain.StatusCancelled, f.statuses()[len(f.records)-1])
}

func TestCancelWhileAStepKeepsFailing(t *testing.T) {
	f := &fakeShop{failures: map[string]int{activities.CapturePaymentName: 1000}}
	env := newEnv(t, f)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.Cancel, workflows.CancelRequest{Reason: "provider down too long"})
	}, 10*time.Second)
	env.ExecuteWorkflow(workflows.OrderSaga, input)
	rec := result(t, env)

	require.Equal(t, domain.StatusCancelled, rec.Status)
	tail := f.calls[len(f.calls)-2:]
	require.ElementsMatch(t, []string{activities.RefundPaymentName, activities.ReleaseStockName}, tail,
		"the capture may have happened: refund (the provider voids an uncaptured one), and restock")
	require.Less(t, len(f.calls), 30, "the retries stopped at the cancel")
}

func TestFlakyStepIsRetriedByTemporal(t *testing.T) {
	f := &fakeShop{failures: map[string]int{activities.CapturePaymentName: 3}}
	env := newEnv(t, f)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(workflows.Fulfill, nil) }, time.Hour)
	env.ExecuteWorkflow(workflows.OrderSaga, input)
	rec := result(t, env)

	require.Equal(t, domain.StatusCompleted, rec.Status)
	require.Equal(t, 4, f.count(activities.CapturePaymentName), "a local attempt, then Temporal's retries")
	capture := stepNamed(rec, workflows.StepCapturePayment)
	require.Equal(t, orders.StepCompleted, capture.State)
	require.Equal(t, 2, capture.Attempts, "the local attempt and the run that succeeded: a result carries no attempt count")
	require.Empty(t, capture.LastError, "cleared once the step succeeded")
}

func TestStatusQueryShowsARetryingStep(t *testing.T) {
	f := &fakeShop{failures: map[string]int{activities.CommitStockName: 5}}
	env := newEnv(t, f)
	env.RegisterDelayedCallback(func() {
		commit := stepNamed(queryStatus(t, env), workflows.StepCommitStock)
		require.Equal(t, orders.StepRunning, commit.State)
		require.Equal(t, 1, commit.Attempts, "the local attempt; the fallback's attempts are Temporal's (the pending activity: internal/temporal Progress)")
	}, time.Second)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(workflows.Fulfill, nil) }, time.Hour)
	env.ExecuteWorkflow(workflows.OrderSaga, input)
	require.Equal(t, domain.StatusCompleted, result(t, env).Status)
}

func TestUpdatesAreValidated(t *testing.T) {
	t.Run("fulfil before confirmation is rejected, cancel accepted", func(t *testing.T) {
		f := &fakeShop{failures: map[string]int{activities.CommitStockName: 3}}
		env := newEnv(t, f)
		var fulfilErr error
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(workflows.Fulfill, "u-fulfil", &testsuite.TestUpdateCallback{
				OnAccept: func() { t.Error("fulfil of a RESERVED order was accepted") },
				OnReject: func(err error) { fulfilErr = err }, OnComplete: func(any, error) {},
			})
			env.UpdateWorkflow(workflows.Cancel, "u-cancel", &testsuite.TestUpdateCallback{
				OnAccept: func() {}, OnReject: func(err error) { t.Errorf("cancel rejected: %v", err) }, OnComplete: func(any, error) {},
			}, workflows.CancelRequest{Reason: "r"})
		}, 300*time.Millisecond)
		env.ExecuteWorkflow(workflows.OrderSaga, input)
		require.Equal(t, domain.StatusCancelled, result(t, env).Status)
		require.ErrorContains(t, fulfilErr, "only a CONFIRMED order")
	})
	t.Run("cancel while compensating a decline is rejected", func(t *testing.T) {
		f := &fakeShop{
			authorizeErr: temporal.NewNonRetryableApplicationError("declined", activities.ErrTypePaymentDeclined, nil),
			failures:     map[string]int{activities.ReleaseStockName: 3},
		}
		env := newEnv(t, f)
		var cancelErr error
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(workflows.Cancel, "u-cancel", &testsuite.TestUpdateCallback{
				OnAccept: func() { t.Error("cancel while compensating was accepted") },
				OnReject: func(err error) { cancelErr = err }, OnComplete: func(any, error) {},
			}, workflows.CancelRequest{})
		}, 300*time.Millisecond)
		env.ExecuteWorkflow(workflows.OrderSaga, input)
		require.Equal(t, domain.StatusFailed, result(t, env).Status)
		require.ErrorContains(t, cancelErr, "can no longer be cancelled")
	})
}

func TestInvalidInputFailsTheWorkflow(t *testing.T) {
	env := newEnv(t, &fakeShop{})
	env.ExecuteWorkflow(workflows.OrderSaga, workflows.OrderInput{OrderID: "o-bad"})
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(env.GetWorkflowError(), &appErr))
	require.Equal(t, activities.ErrTypeInvalidInput, appErr.Type())
}
