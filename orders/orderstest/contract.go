package orderstest

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

// RunStoreContract runs the contract of orders.Store against a store of the test's own from newStore
// (empty).
func RunStoreContract(t *testing.T, newStore func(t *testing.T) orders.Store) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 16, 0, 0, 123_000_000, time.UTC) // milliseconds: what BSON dates keep

	t.Run("Save and Get keep every field", func(t *testing.T) {
		s := newStore(t)
		want := orders.Order{
			OrderID: "o1", CustomerID: "c1", Status: domain.StatusRejected, Reason: "total overflows",
			ReasonCode: orders.ReasonUnpriceable, TotalMinor: 2599, Currency: "USD", PaymentID: "pay-1", Seq: 3,
			Lines: []orders.Line{{ProductCode: "A", Quantity: 2, UnitPriceMinor: 1000, Currency: "USD"}, {ProductCode: "B", Quantity: 1}},
			Steps: []orders.Step{{Name: "reserve-stock", State: orders.StepCompleted, Attempts: 1},
				{Name: "authorize-payment", State: orders.StepFailed, Attempts: 3, LastError: "declined"}},
			CreatedAt: at, UpdatedAt: at.Add(time.Second),
		}
		require.NoError(t, s.Save(ctx, want))
		got, err := s.Get(ctx, "o1")
		require.NoError(t, err)
		require.True(t, want.CreatedAt.Equal(got.CreatedAt) && want.UpdatedAt.Equal(got.UpdatedAt), "times")
		got.CreatedAt, got.UpdatedAt = want.CreatedAt, want.UpdatedAt
		require.Equal(t, want, got)
		_, err = s.Get(ctx, "nope")
		require.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("an order never moves backwards", func(t *testing.T) {
		s := newStore(t)
		o := orders.Order{OrderID: "o1", CustomerID: "c1", Status: domain.StatusPending, Seq: 1,
			Lines: []orders.Line{{ProductCode: "A", Quantity: 1}}}
		require.NoError(t, s.Save(ctx, o))
		o.Status, o.Seq = domain.StatusReserved, 2
		require.NoError(t, s.Save(ctx, o))
		require.NoError(t, s.Save(ctx, o), "a retried save is harmless")
		stale := o
		stale.Status, stale.Seq = domain.StatusPending, 1
		require.NoError(t, s.Save(ctx, stale))
		got, err := s.Get(ctx, "o1")
		require.NoError(t, err)
		require.Equal(t, []any{domain.StatusReserved, int64(2)}, []any{got.Status, got.Seq}, "a late save of an older transition is ignored")
	})

	t.Run("List filters by status and customer and pages by id", func(t *testing.T) {
		s := newStore(t)
		for _, o := range []orders.Order{
			{OrderID: "o3", CustomerID: "c1", Status: domain.StatusRejected, Seq: 2},
			{OrderID: "o1", CustomerID: "c1", Status: domain.StatusReserved, Seq: 2},
			{OrderID: "o2", CustomerID: "c2", Status: domain.StatusReserved, Seq: 2},
		} {
			require.NoError(t, s.Save(ctx, o))
		}
		for _, tc := range []struct {
			q    orders.Query
			want []string
		}{
			{orders.Query{Limit: 10}, []string{"o1", "o2", "o3"}},
			{orders.Query{Status: domain.StatusReserved, Limit: 10}, []string{"o1", "o2"}},
			{orders.Query{CustomerID: "c1", Limit: 1}, []string{"o1"}},
			{orders.Query{CustomerID: "c1", After: "o1", Limit: 1}, []string{"o3"}},
			{orders.Query{Status: domain.StatusReserved, CustomerID: "c2", Limit: 10}, []string{"o2"}},
			{orders.Query{After: "o3", Limit: 10}, []string{}},
		} {
			page, err := s.List(ctx, tc.q)
			require.NoError(t, err)
			ids := []string{}
			for _, o := range page {
				ids = append(ids, o.OrderID)
			}
			require.Equal(t, tc.want, ids, "%+v", tc.q)
		}
	})

	t.Run("concurrent saves keep the newest transition", func(t *testing.T) {
		// As a stale retry of RecordOrder racing the next transition would: whatever lands last, the
		// stored order ends at the newest.
		s := newStore(t)
		const writers, transitions = 8, 20
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for _, i := range rand.New(rand.NewPCG(uint64(w), 1)).Perm(transitions) {
					assert.NoError(t, s.Save(ctx, orders.Order{OrderID: "race", Status: domain.StatusPending, Seq: int64(i + 1)}))
				}
			})
		}
		wg.Wait()
		got, err := s.Get(ctx, "race")
		require.NoError(t, err)
		require.Equal(t, int64(transitions), got.Seq)
	})
}
