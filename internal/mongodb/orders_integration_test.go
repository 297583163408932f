//go:build integration

package mongodb_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/orders"
)

func TestOrderStoreNeverMovesBackwards(t *testing.T) {
	ctx := context.Background()
	s := mongodb.NewOrders(testenv.Database(t))

	rec := orders.Order{OrderID: "o1", CustomerID: "c1", Status: domain.StatusPending, Seq: 1, Lines: []orders.Line{{ProductCode: "A", Quantity: 1}}}
	require.NoError(t, s.Save(ctx, rec))
	rec.Status, rec.Seq = domain.StatusReserved, 2
	require.NoError(t, s.Save(ctx, rec))
	require.NoError(t, s.Save(ctx, rec), "a retried write is harmless")

	stale := rec
	stale.Status, stale.Seq = domain.StatusPending, 1
	require.NoError(t, s.Save(ctx, stale))
	got, err := s.Get(ctx, "o1")
	require.NoError(t, err)
	require.Equal(t, domain.StatusReserved, got.Status, "a late write of an older transition is ignored")
	require.Equal(t, int64(2), got.Seq)

	require.NoError(t, s.Save(ctx, orders.Order{OrderID: "o2", CustomerID: "c2", Status: domain.StatusReserved, Seq: 2}))
	require.NoError(t, s.Save(ctx, orders.Order{OrderID: "o3", CustomerID: "c1", Status: domain.StatusRejected, Seq: 2}))

	page, err := s.List(ctx, orders.Query{Status: domain.StatusReserved, Limit: 10})
	require.NoError(t, err)
	require.Len(t, page, 2)
	page, err = s.List(ctx, orders.Query{CustomerID: "c1", Limit: 1})
	require.NoError(t, err)
	require.Equal(t, "o1", page[0].OrderID)
	page, err = s.List(ctx, orders.Query{CustomerID: "c1", After: "o1", Limit: 1})
	require.NoError(t, err)
	require.Equal(t, "o3", page[0].OrderID)

	_, err = s.Get(ctx, "nope")
	require.ErrorIs(t, err, domain.ErrNotFound)
}

// TestOrderStoreKeepsTheNewestUnderConcurrentWrites: many writers save the transitions of one order in
// random orders at once (as a stale retry of RecordOrder racing the next transition would); the stored
// order ends at the newest, whatever lands last.
func TestOrderStoreKeepsTheNewestUnderConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	s := mongodb.NewOrders(testenv.Database(t))
	const writers, transitions = 16, 40
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, i := range rand.New(rand.NewPCG(uint64(w), 1)).Perm(transitions) {
				rec := orders.Order{OrderID: "race", Status: domain.StatusPending, Seq: int64(i + 1)}
				assert.NoError(t, s.Save(ctx, rec))
			}
		}()
	}
	wg.Wait()
	got, err := s.Get(ctx, "race")
	require.NoError(t, err)
	require.Equal(t, int64(transitions), got.Seq, "the newest transition stays")
}
