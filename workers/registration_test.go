package workers_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/workflows"
)

// stockStub stands in for a StockKeeper: the inventory's use cases, or its API when down.
type stockStub struct {
	mu    sync.Mutex
	calls []string
	down  bool
}

func (s *stockStub) call(op, orderID string) (inventory.Reservation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, op)
	if s.down {
		return inventory.Reservation{}, errors.New("connection refused")
	}
	return inventory.Reservation{OrderID: orderID, State: inventory.Reserved,
		Lines: []inventory.ReservedLine{{ProductCode: "A", Quantity: 1, UnitPrice: domain.Money{Minor: 100, Currency: "USD"}}}}, nil
}

func (s *stockStub) Reserve(_ context.Context, orderID string, _ []inventory.LineRequest) (inventory.Reservation, error) {
	return s.call("reserve", orderID)
}
func (s *stockStub) Commit(_ context.Context, orderID string) (inventory.Reservation, error) {
	return s.call("commit", orderID)
}
func (s *stockStub) Release(_ context.Context, orderID string) (inventory.Reservation, error) {
	return s.call("release", orderID)
}

// TestInventoryRegistrationsFallBackToTheInventorysWorker registers the inventory's activities as
// both workers do (the inventory's Register, the order worker's RegisterViaAPI) with the API down: the
// saga's fallback must reach the inventory's own activities. Registering the same method under a second
// name made the SDK schedule the fallback under the API's name, which no inventory worker has.
func TestInventoryRegistrationsFallBackToTheInventorysWorker(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	workflows.Register(env)
	useCases, api := &stockStub{}, &stockStub{down: true}
	(&activities.Inventory{Stock: useCases}).Register(env)
	(&activities.Inventory{Stock: api}).RegisterViaAPI(env)
	for name, fn := range map[string]any{
		activities.RecordOrderName:         func(context.Context, orders.Order) error { return nil },
		activities.RecordThenAuthorizeName: func(context.Context, activities.RecordThenAuthorizeInput) (string, error) { return "pay-1", nil },
		activities.CapturePaymentName:      func(context.Context, string) error { return nil },
	} {
		env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(workflows.Fulfill, nil) }, time.Hour)
	env.ExecuteWorkflow(workflows.OrderSaga, workflows.OrderInput{OrderID: "o-1", Items: []activities.StockLine{{ProductCode: "A", Quantity: 1}}})

	require.True(t, env.IsWorkflowCompleted())
	var rec orders.Order
	require.NoError(t, env.GetWorkflowResult(&rec))
	require.Equal(t, domain.StatusCompleted, rec.Status)
	require.Equal(t, []string{"reserve", "commit"}, api.calls, "one local attempt per step through the API")
	require.Equal(t, []string{"reserve", "commit"}, useCases.calls, "then the inventory's own activity")
}
