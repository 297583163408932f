//go:build integration

package mongodb_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/inventory"
)

func next(code string, kind domain.MovementKind, qty int64, order string) func(domain.Movement) (domain.Movement, error) {
	return func(h domain.Movement) (domain.Movement, error) {
		return domain.Next(h, code, kind, qty, order, time.Now())
	}
}

func TestLedgerAppendIsIdempotentPerOrderAndKind(t *testing.T) {
	ctx := context.Background()
	l, err := mongodb.NewLedger(ctx, testenv.Database(t), prometheus.NewRegistry())
	require.NoError(t, err)

	_, err = l.Append(ctx, "P", "", domain.Receipt, next("P", domain.Receipt, 10, ""))
	require.NoError(t, err)
	first, err := l.Append(ctx, "P", "o1", domain.Reservation, next("P", domain.Reservation, 2, "o1"))
	require.NoError(t, err)
	require.Equal(t, int64(2), first.Seq)

	again, err := l.Append(ctx, "P", "o1", domain.Reservation, next("P", domain.Reservation, 2, "o1"))
	require.ErrorIs(t, err, inventory.ErrAlreadyApplied)
	require.Equal(t, first.Seq, again.Seq, "the existing entry is returned")
	require.Equal(t, first.Level, again.Level)

	other, err := l.Append(ctx, "P", "o2", domain.Reservation, next("P", domain.Reservation, 2, "o2"))
	require.NoError(t, err, "another order is another key")
	require.Equal(t, domain.StockLevel{OnHand: 10, Reserved: 4}, other.Level)
}

// TestLedgerFindsTheHeadWithoutItsCache: a second process (a fresh Ledger) appending to the same
// product must find the newest entry, lose no race, and never reuse a sequence number.
func TestLedgerFindsTheHeadWithoutItsCache(t *testing.T) {
	ctx := context.Background()
	db := testenv.Database(t)
	a, err := mongodb.NewLedger(ctx, db, prometheus.NewRegistry())
	require.NoError(t, err)
	for range 40 { // past a few hint refreshes
		_, err = a.Append(ctx, "P", "", domain.Receipt, next("P", domain.Receipt, 1, ""))
		require.NoError(t, err)
	}
	b, err := mongodb.NewLedger(ctx, db, prometheus.NewRegistry())
	require.NoError(t, err)
	head, err := b.Head(ctx, "P")
	require.NoError(t, err)
	require.Equal(t, int64(40), head.Seq)
	require.Equal(t, int64(40), head.Level.OnHand)

	// a's cache is now stale by what b appends; a's next append must land after it.
	_, err = b.Append(ctx, "P", "", domain.Receipt, next("P", domain.Receipt, 1, ""))
	require.NoError(t, err)
	m, err := a.Append(ctx, "P", "", domain.Receipt, next("P", domain.Receipt, 1, ""))
	require.NoError(t, err)
	require.Equal(t, int64(42), m.Seq)
	require.Equal(t, int64(42), m.Level.OnHand)

	// A refusal is judged against the newest entry, not a stale cache: b sees 41 units, a holds 42.
	_, err = b.Append(ctx, "P", "o", domain.Reservation, next("P", domain.Reservation, 42, "o"))
	require.NoError(t, err)
}
