//go:build integration

package temporal_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/temporal"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/orders/orderstest"
	"github.com/order-saga/shop/workflows"
)

// TestCompensatingOrderShowsItsRetryingStep runs the real saga on the stack's Temporal server with
// stand-in activities: the order is cancelled after confirmation and the refund keeps failing. The
// order read for the API (one order, the list, the operator search) shows the refund step with
// Temporal's attempt count and last failure, which the saga's history does not hold.
func TestCompensatingOrderShowsItsRetryingStep(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := testenv.Temporal(t)
	queue := testenv.UniqueName(t, "live")
	w := worker.New(c, queue, worker.Options{})
	workflows.Register(w)
	reg := func(fn any, name string) { w.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(_ context.Context, in activities.ReserveStockInput) (activities.ReserveStockResult, error) {
		return activities.ReserveStockResult{Lines: []activities.PricedLine{{ProductCode: "A", Quantity: 1, UnitPriceMinor: 100, Currency: "USD"}}}, nil
	}, activities.ReserveStockName)
	reg(func(context.Context, activities.AuthorizePaymentInput) (string, error) { return "pay", nil }, activities.AuthorizePaymentName)
	reg(func(context.Context, activities.RecordThenAuthorizeInput) (string, error) { return "pay", nil }, activities.RecordThenAuthorizeName)
	for _, name := range []string{activities.CommitStockName, activities.CapturePaymentName, activities.ReleaseStockName, activities.VoidPaymentName} {
		reg(func(context.Context, string) error { return nil }, name)
	}
	reg(func(context.Context, string) error { return errors.New("the provider is down") }, activities.RefundPaymentName)
	var (
		mu     sync.Mutex
		stored orders.Order // what MongoDB would hold
	)
	storedNow := func() orders.Order {
		mu.Lock()
		defer mu.Unlock()
		return stored
	}
	reg(func(_ context.Context, rec orders.Order) error {
		mu.Lock()
		defer mu.Unlock()
		if rec.Status == domain.StatusCompensating {
			stored = rec
		}
		return nil
	}, activities.RecordOrderName)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)

	orderID := startOneLineSaga(ctx, t, c, queue, workflows.StepPolicy{})
	id := workflows.OrderWorkflowID(orderID)
	sagas := temporal.Sagas{Client: c, TaskQueue: queue}
	require.Eventually(t, func() bool {
		rec, err := sagas.Status(ctx, orderID)
		return err == nil && rec.Status == domain.StatusConfirmed
	}, time.Minute, 50*time.Millisecond)
	require.NoError(t, c.SignalWorkflow(ctx, id, "", workflows.Cancel, workflows.CancelRequest{Reason: "test"}))

	live := temporal.Progress{Client: c, Log: testenv.Logger()}
	require.Eventually(t, func() bool { // the saga records COMPENSATING once it starts compensating
		return storedNow().Status == domain.StatusCompensating
	}, time.Minute, 50*time.Millisecond)
	refund := func(recs []orders.Order) orders.Step {
		for _, st := range recs[0].Steps {
			if st.Name == workflows.StepRefundPayment {
				return st
			}
		}
		return orders.Step{}
	}
	require.Eventually(t, func() bool { // once the first attempt failed, the pending activity is at attempt 2
		rec := storedNow()
		return rec.Status == domain.StatusCompensating && refund([]orders.Order{live.Live(ctx, rec)}).Attempts >= 2
	}, time.Minute, 200*time.Millisecond, "the refund's second attempt")

	// Read through the order use cases, as the API does, with the stored order in a fake store.
	store := orderstest.NewMemoryStore()
	require.NoError(t, store.Save(ctx, storedNow()))
	svc := orders.NewService(orders.Ports{Store: store, Progress: live}, orders.Config{})
	one, err := svc.Get(ctx, orderID)
	require.NoError(t, err)
	list, err := svc.List(ctx, orders.Query{Limit: 10})
	require.NoError(t, err)
	search, err := svc.Search(ctx, orders.Query{Status: domain.StatusCompensating, Limit: 10})
	require.NoError(t, err)
	for name, recs := range map[string][]orders.Order{"get": {one}, "list": list, "operator search": search} {
		st := refund(recs)
		require.Equal(t, orders.StepCompensating, st.State, name)
		require.GreaterOrEqual(t, st.Attempts, 2, name)
		require.Equal(t, "the provider is down", st.LastError, name)
		states := map[string]string{}
		for _, st := range recs[0].Steps {
			states[st.Name] = st.State
		}
		require.Equal(t, orders.StepCompensated, states[workflows.StepReleaseStock], "%s: the stock is back already", name)
	}
	require.Empty(t, refund([]orders.Order{storedNow()}).LastError, "the stored order alone does not know")
}

// TestPendingOrderShowsItsRetryingStep: while the reserve step keeps failing, Temporal retries it and
// the history holds no attempt; the live order shows the step running with Temporal's attempt
// count and last failure.
func TestPendingOrderShowsItsRetryingStep(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := testenv.Temporal(t)
	queue := testenv.UniqueName(t, "live")
	startInventoryDownWorker(t, c, queue)

	orderID := startOneLineSaga(ctx, t, c, queue, workflows.StepPolicy{InitialInterval: 50 * time.Millisecond, MaxAttempts: 1000})

	live := temporal.Progress{Client: c, Log: testenv.Logger()}
	stored := orders.Order{OrderID: orderID, Status: domain.StatusPending, Seq: 1}
	var reserve orders.Step
	require.Eventually(t, func() bool {
		for _, st := range live.Live(ctx, stored).Steps {
			if st.Name == workflows.StepReserveStock {
				reserve = st
			}
		}
		return reserve.Attempts >= 3
	}, time.Minute, 100*time.Millisecond, "the reserve's third attempt")
	require.Equal(t, orders.StepRunning, reserve.State)
	require.Equal(t, "the inventory is down", reserve.LastError)
	require.Empty(t, live.Live(ctx, orders.Order{OrderID: orderID, Status: domain.StatusConfirmed}).Steps,
		"an order with no step running comes back as stored")
}
