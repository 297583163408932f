package temporal

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/workflows"
)

// TestSagaInputCarriesThePlacement: what the order use case accepted is what the saga starts with,
// under the adapter's task queue and step policy.
func TestSagaInputCarriesThePlacement(t *testing.T) {
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	s := Sagas{InventoryTaskQueue: "inv", Policy: workflows.StepPolicy{MaxAttempts: 3}}
	in := s.input(orders.Placement{OrderID: "o1", CustomerID: "c1", PaymentToken: "tok_visa", CreatedAt: at,
		Items: []orders.Item{{ProductCode: "A", Quantity: 1}, {ProductCode: "B", Quantity: 2}}})
	require.Equal(t, "o1", in.OrderID)
	require.Equal(t, "c1", in.CustomerID)
	require.Equal(t, "tok_visa", in.PaymentToken)
	require.Equal(t, at, in.CreatedAt)
	require.Equal(t, "inv", in.InventoryTaskQueue)
	require.Equal(t, workflows.StepPolicy{MaxAttempts: 3}, in.Policy)
	require.Len(t, in.Items, 2)
	require.Equal(t, []any{"A", int64(1), "B", int64(2)},
		[]any{in.Items[0].ProductCode, in.Items[0].Quantity, in.Items[1].ProductCode, in.Items[1].Quantity})
	require.Equal(t, "Order o1 of customer c1: 1 × A, 2 × B", orderSummary(in))
}
