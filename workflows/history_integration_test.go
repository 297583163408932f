//go:build integration

package workflows_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/temporal"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/workers"
	"github.com/order-saga/shop/workflows"
)

// placeOnDevServer places a one-line order as the API does (start with the awaitDecision update) on
// the stack's dev server, with shop standing in for every activity, and returns the order once its
// outcome is known and the saga's history up to then. inventoryQueue "" runs the inventory's
// stand-ins on the saga's worker.
func placeOnDevServer(t *testing.T, shop *fakeShop, policy workflows.StepPolicy, inventoryQueue string) (orders.Order, []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := testenv.Temporal(t)
	queue := testenv.UniqueName(t, "saga")
	if inventoryQueue == "" {
		inventoryQueue = queue
	}
	if shop.prices == nil {
		shop.prices = map[string]int64{"A": 1999}
	}
	w := workers.NewWithOptions(c, queue, nil, func(r worker.Registry) {
		workflows.Register(r)
		shop.registerOn(r)
	})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)

	orderID := testenv.UniqueName(t, "o")
	id := workflows.OrderWorkflowID(orderID)
	t.Cleanup(func() { _ = c.TerminateWorkflow(context.Background(), id, "", "test over") })
	sagas := temporal.Sagas{Client: c, TaskQueue: queue, InventoryTaskQueue: inventoryQueue, Policy: policy}
	rec, decided, err := sagas.Start(ctx, orders.Placement{
		OrderID: orderID, CustomerID: "c-1", Items: []orders.Item{{ProductCode: "A", Quantity: 1}},
	}, time.Minute)
	require.NoError(t, err)
	require.True(t, decided)
	return rec, historyOf(ctx, t, c, id)
}

// historyOf lists the event types of a workflow's history as the server holds it.
func historyOf(ctx context.Context, t *testing.T, c client.Client, id string) []string {
	t.Helper()
	var events []string
	it := c.GetWorkflowHistory(ctx, id, "", false, 0)
	for it.HasNext() {
		e, err := it.Next()
		require.NoError(t, err)
		events = append(events, fmt.Sprintf("%d %s", e.GetEventId(), e.GetEventType()))
	}
	return events
}

// TestHappyOrderHistoryBudget: a one-line order reaches CONFIRMED in at most 14 history events, all in
// one workflow task (36 before the saga's steps moved to Temporal's retries and the order service's
// work to local activities, 25 before its PENDING record rode with the authorization, 24 before its
// reserve and commit went first through the inventory's API).
func TestHappyOrderHistoryBudget(t *testing.T) {
	rec, events := placeOnDevServer(t, &fakeShop{}, workflows.StepPolicy{}, "")
	require.Equal(t, domain.StatusConfirmed, rec.Status)
	t.Logf("a happy order took %d history events to CONFIRMED:\n%v", len(events), events)
	require.LessOrEqual(t, len(events), 14)
}

// TestStepRetriesCostNoHistory: a step that fails 8 times before it succeeds leaves the same history
// as one that fails once: a regular activity step (reserve) retried by Temporal, and a payment step
// (authorize) whose local attempt failed and whose regular activity Temporal retried.
func TestStepRetriesCostNoHistory(t *testing.T) {
	policy := workflows.StepPolicy{InitialInterval: 10 * time.Millisecond}
	for _, activity := range []string{activities.ReserveStockName, activities.AuthorizePaymentName} {
		t.Run(activity, func(t *testing.T) {
			lengths := map[int]int{}
			for _, failures := range []int{1, 8} {
				shop := &fakeShop{failures: map[string]int{activity: failures}}
				rec, events := placeOnDevServer(t, shop, policy, "")
				require.Equal(t, domain.StatusConfirmed, rec.Status)
				require.Equal(t, failures+1, shop.count(activity))
				lengths[failures] = len(events)
				t.Logf("%s failing %d times: %d events to CONFIRMED", activity, failures, len(events))
			}
			require.Equal(t, lengths[1], lengths[8])
		})
	}
}

// TestStepWithoutWorkerParksAfterItsTimeBound: with no inventory worker up, the reserve step never
// starts; the order parks once the step's ScheduleToClose has passed, and says why.
func TestStepWithoutWorkerParksAfterItsTimeBound(t *testing.T) {
	nobody := testenv.UniqueName(t, "no-inventory")
	// The inventory's API fails the local first attempt ("connection refused"), and its worker is away.
	down := &fakeShop{failures: map[string]int{activities.ReserveStockName: 1}}
	rec, _ := placeOnDevServer(t, down, workflows.StepPolicy{StepTimeout: 2 * time.Second}, nobody)
	require.Equal(t, domain.StatusNeedsAttention, rec.Status)
	require.Contains(t, rec.Reason, "reserve-stock did not succeed within 2s (1 attempts)")
	reserve := stepNamed(rec, workflows.StepReserveStock)
	require.Contains(t, reserve.LastError, "no attempt started")
}
