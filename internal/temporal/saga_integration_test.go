//go:build integration

package temporal_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/internal/testenv"
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
