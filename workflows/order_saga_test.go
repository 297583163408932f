package workflows_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/workers"
	"github.com/order-saga/shop/workflows"
)

// fakeShop stands in for every activity of the saga (the inventory, the payment gateway, the order
// store) in these unit tests: it records the calls in order and fails where a test tells it to.
type fakeShop struct {
	mu      sync.Mutex
	calls   []string
	records []orders.Order

	reserveErr   error
	authorizeErr error
	// failures makes the named activity fail (retryably) this many times before succeeding.
	failures map[string]int
	// refusals makes the named activity fail non-retryably (a conflict) this many times first.
	refusals map[string]int
	prices   map[string]int64
	// currencies prices a product in another currency than USD.
	currencies map[string]string
}

func (f *fakeShop) called(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
	if f.refusals[name] > 0 {
		f.refusals[name]--
		return temporal.NewNonRetryableApplicationError(name+" refused", activities.ErrTypeConflict, nil)
	}
	if f.failures[name] > 0 {
		f.failures[name]--
		return errors.New(name + " is down")
	}
	return nil
}

func (f *fakeShop) register(env *testsuite.TestWorkflowEnvironment) { f.registerOn(env) }

// registerOn adds the fake activities to anything that takes activities: the test environment or a
// real worker (record_histories_test.go).
func (f *fakeShop) registerOn(r activities.Registry) {
	reg := func(fn any, name string) { r.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(_ context.Context, in activities.ReserveStockInput) (activities.ReserveStockResult, error) {
		if err := f.called(activities.ReserveStockName); err != nil {
			return activities.ReserveStockResult{}, err
		}
		if f.reserveErr != nil {
			return activities.ReserveStockResult{}, f.reserveErr
		}
		var out activities.ReserveStockResult
		for _, l := range in.Lines {
			currency := f.currencies[l.ProductCode]
			if currency == "" {
				currency = "USD"
			}
			out.Lines = append(out.Lines, activities.PricedLine{ProductCode: l.ProductCode, Quantity: l.Quantity, UnitPriceMinor: f.prices[l.ProductCode], Currency: currency})
		}
		return out, nil
	}, activities.ReserveStockName)
	authorize := func(_ context.Context, in activities.AuthorizePaymentInput) (string, error) {
		if err := f.called(activities.AuthorizePaymentName); err != nil {
			return "", err
		}
		return "pay_" + in.OrderID, f.authorizeErr
	}
	reg(authorize, activities.AuthorizePaymentName)
	for _, name := range []string{activities.CommitStockName, activities.ReleaseStockName, activities.CapturePaymentName, activities.VoidPaymentName, activities.RefundPaymentName} {
		reg(func(_ context.Context, _ string) error { return f.called(name) }, name)
	}
	reg(f.record, activities.RecordOrderName)
	reg(func(ctx context.Context, in activities.RecordThenAuthorizeInput) (string, error) {
		if err := f.record(ctx, in.Record); err != nil {
			return "", err
		}
		return authorize(ctx, in.Payment)
	}, activities.RecordThenAuthorizeName)
}

// record stands in for RecordOrder: it keeps each stored transition once (the store ignores a
// repeat of the same Seq).
func (f *fakeShop) record(_ context.Context, rec orders.Order) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := len(f.records); n > 0 && f.records[n-1].Seq >= rec.Seq {
		return nil
	}
	rec.Steps = append([]orders.Step(nil), rec.Steps...) // a snapshot, as a stored copy is
	f.records = append(f.records, rec)
	return nil
}

func (f *fakeShop) statuses() []domain.OrderStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]domain.OrderStatus, len(f.records))
	for i, r := range f.records {
		out[i] = r.Status
	}
	return out
}

func newEnv(t *testing.T, f *fakeShop) *testsuite.TestWorkflowEnvironment {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := suite.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{workers.NewAttemptInterceptor()}})
	workflows.Register(env)
	if f.prices == nil {
		f.prices = map[string]int64{"A": 1999, "B": 250}
	}
	f.register(env)
	return env
}

// forwardSteps are the activities of an order that goes through, in order.
var forwardSteps = []string{activities.ReserveStockName, activities.AuthorizePaymentName, activities.CommitStockName, activities.CapturePaymentName}

var input = workflows.OrderInput{
	OrderID: "o-1", CustomerID: "c-1",
	Items:     []activities.StockLine{{ProductCode: "A", Quantity: 3}, {ProductCode: "B", Quantity: 2}},
	CreatedAt: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC),
}

// queryStatus answers the saga's status query in the middle of a test run.
func queryStatus(t *testing.T, env *testsuite.TestWorkflowEnvironment) orders.Order {
	t.Helper()
	v, err := env.QueryWorkflow(workflows.QueryStatus)
	require.NoError(t, err)
	var rec orders.Order
	require.NoError(t, v.Get(&rec))
	return rec
}

func result(t *testing.T, env *testsuite.TestWorkflowEnvironment) orders.Order {
	t.Helper()
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var rec orders.Order
	require.NoError(t, env.GetWorkflowResult(&rec))
	return rec
}

func stepNamed(rec orders.Order, name string) orders.Step {
	for _, s := range rec.Steps {
		if s.Name == name {
			return s
		}
	}
	return orders.Step{}
}

func stepStates(rec orders.Order) map[string]string {
	out := map[string]string{}
	for _, s := range rec.Steps {
		out[s.Name] = s.State
	}
	return out
}

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
		require.Zero(t, commit.Attempts, "this run's attempts are Temporal's (the pending activity: internal/temporal Progress)")
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
