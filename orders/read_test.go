package orders_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

func TestGet(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		stored    *orders.Order
		saga      *orders.Order
		want      orders.Order
		wantErr   error
		wantSteps int
	}{
		{name: "a stored order", stored: &orders.Order{OrderID: "o1", Status: domain.StatusConfirmed, Seq: 4},
			want: orders.Order{OrderID: "o1", Status: domain.StatusConfirmed, Seq: 4}},
		{name: "a stored order compensating, with its live steps", stored: &orders.Order{OrderID: "o1", Status: domain.StatusCompensating, Seq: 5},
			want: orders.Order{OrderID: "o1", Status: domain.StatusCompensating, Seq: 5}, wantSteps: 1},
		{name: "not stored yet: the saga's status", saga: &orders.Order{OrderID: "o1", Status: domain.StatusPending},
			want: orders.Order{OrderID: "o1", Status: domain.StatusPending}},
		{name: "stored wins over the saga", stored: &orders.Order{OrderID: "o1", Status: domain.StatusReserved, Seq: 2},
			saga: &orders.Order{OrderID: "o1", Status: domain.StatusPending}, want: orders.Order{OrderID: "o1", Status: domain.StatusReserved, Seq: 2}},
		{name: "neither", wantErr: domain.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, &liveSteps{})
			if tt.stored != nil {
				require.NoError(t, f.store.Save(ctx, *tt.stored))
			}
			if tt.saga != nil {
				f.sagas.Put(*tt.saga)
			}
			got, err := f.svc.Get(ctx, "o1")
			require.ErrorIs(t, err, tt.wantErr)
			require.Len(t, got.Steps, tt.wantSteps)
			got.Steps = nil
			require.Equal(t, tt.want, got)
		})
	}
}

// TestListAndSearchAreLive: both answer from their port, each order overlaid with its live steps.
func TestListAndSearchAreLive(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, &liveSteps{})
	for _, o := range []orders.Order{
		{OrderID: "o1", CustomerID: "c1", Status: domain.StatusCompensating, Seq: 5, Reason: "customer cancelled",
			Lines: []orders.Line{{ProductCode: "A", Quantity: 1}}},
		{OrderID: "o2", CustomerID: "c1", Status: domain.StatusConfirmed, Seq: 4, Lines: []orders.Line{{ProductCode: "B", Quantity: 1}}},
		{OrderID: "o3", CustomerID: "c2", Status: domain.StatusCompensating, Seq: 5, Lines: []orders.Line{{ProductCode: "B", Quantity: 1}}},
	} {
		require.NoError(t, f.store.Save(ctx, o))
	}
	steps := func(os []orders.Order) map[string]int {
		out := map[string]int{}
		for _, o := range os {
			out[o.OrderID] = len(o.Steps)
		}
		return out
	}
	list, err := f.svc.List(ctx, orders.Query{CustomerID: "c1", Limit: 10})
	require.NoError(t, err)
	require.Equal(t, map[string]int{"o1": 1, "o2": 0}, steps(list))

	found, err := f.svc.Search(ctx, orders.Query{ProductCode: "b", Limit: 10}) // the store-backed search
	require.NoError(t, err)
	require.Equal(t, map[string]int{"o2": 0, "o3": 1}, steps(found))

	_, err = f.svc.List(ctx, orders.Query{Limit: orders.MaxPageSize + 1})
	require.Error(t, err)
}
