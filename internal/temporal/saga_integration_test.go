//go:build integration

package temporal_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/workers"
	"github.com/order-saga/shop/workflows"
)

// startOneLineSaga starts the saga of a new order for one unit of product A on queue (its inventory
// steps too) under policy, and returns the order's id; the saga is terminated when the test ends.
func startOneLineSaga(ctx context.Context, t *testing.T, c client.Client, queue string, policy workflows.StepPolicy) string {
	t.Helper()
	orderID := testenv.UniqueName(t, "o")
	id := workflows.OrderWorkflowID(orderID)
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, workflows.OrderSagaName, workflows.OrderInput{
		OrderID: orderID, Items: []activities.StockLine{{ProductCode: "A", Quantity: 1}}, InventoryTaskQueue: queue, Policy: policy,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.TerminateWorkflow(context.Background(), id, "", "test over") })
	return orderID
}

// startInventoryDownWorker runs the saga on queue with stand-in activities whose reserve step always
// fails ("the inventory is down"); the rest succeed without doing anything.
func startInventoryDownWorker(t *testing.T, c client.Client, queue string) {
	t.Helper()
	w := workers.NewWithOptions(c, queue, nil, func(r worker.Registry) {
		workflows.Register(r)
		down := func(context.Context, activities.ReserveStockInput) (activities.ReserveStockResult, error) {
			return activities.ReserveStockResult{}, errors.New("the inventory is down")
		}
		r.RegisterActivityWithOptions(down, activity.RegisterOptions{Name: activities.ReserveStockName})
		r.RegisterActivityWithOptions(down, activity.RegisterOptions{Name: activities.ReserveStockViaAPIName})
		r.RegisterActivityWithOptions(func(context.Context, string) error { return nil }, activity.RegisterOptions{Name: activities.ReleaseStockName})
		r.RegisterActivityWithOptions(func(context.Context, orders.Order) error { return nil }, activity.RegisterOptions{Name: activities.RecordOrderName})
	})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
}
