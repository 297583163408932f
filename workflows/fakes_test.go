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
	reserve := func(_ context.Context, in activities.ReserveStockInput) (activities.ReserveStockResult, error) {
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
	}
	// The saga's local first attempt (through the inventory's API) and its fallback on the inventory's
	// worker are the same step to the fake: both count as the regular activity's name.
	reg(reserve, activities.ReserveStockName)
	reg(reserve, activities.ReserveStockViaAPIName)
	reg(func(_ context.Context, _ string) error { return f.called(activities.CommitStockName) }, activities.CommitStockViaAPIName)
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
		for _, rec := range append(in.Earlier, in.Record) {
			if err := f.record(ctx, rec); err != nil {
				return "", err
			}
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
