package idempotencytest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/orders"
)

// Run checks the contract of an orders.IdempotencyStore; newStore returns an empty store.
func Run(t *testing.T, newStore func(t *testing.T) orders.IdempotencyStore) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	rec := func(scope, key, orderID string, created time.Time) orders.IdempotencyRecord {
		return orders.IdempotencyRecord{Scope: scope, Key: key, Fingerprint: "fp-" + orderID, OrderID: orderID,
			CreatedAt: created, ExpiresAt: created.Add(time.Hour)}
	}

	t.Run("the first claim wins and later ones get it", func(t *testing.T) {
		s := newStore(t)
		got, err := s.Claim(ctx, rec("c1", "k", "o1", t0), t0)
		require.NoError(t, err)
		require.Equal(t, "o1", got.OrderID)
		got, err = s.Claim(ctx, rec("c1", "k", "o2", t0.Add(time.Minute)), t0.Add(time.Minute))
		require.NoError(t, err)
		require.Equal(t, "o1", got.OrderID)
		require.Equal(t, "fp-o1", got.Fingerprint)
		require.True(t, got.ExpiresAt.Equal(t0.Add(time.Hour)), "the stored expiry, not the new claim's")
	})

	t.Run("scopes keep equal keys apart", func(t *testing.T) {
		s := newStore(t)
		for i, scope := range []string{"c1", "c2", "", "c1k", "c"} {
			key := "k"
			if scope == "c" {
				key = "1k" // ("c", "1k") and ("c1", "k") must not meet
			}
			got, err := s.Claim(ctx, rec(scope, key, fmt.Sprint("o", i), t0), t0)
			require.NoError(t, err)
			require.Equal(t, fmt.Sprint("o", i), got.OrderID, "scope %q", scope)
		}
	})

	t.Run("an expired record gives way, again and again", func(t *testing.T) {
		s := newStore(t)
		at := t0
		for i := range 4 {
			got, err := s.Claim(ctx, rec("c1", "k", fmt.Sprint("o", i), at), at)
			require.NoError(t, err)
			require.Equal(t, fmt.Sprint("o", i), got.OrderID, "generation %d", i)
			got, err = s.Claim(ctx, rec("c1", "k", "late", at.Add(59*time.Minute)), at.Add(59*time.Minute))
			require.NoError(t, err)
			require.Equal(t, fmt.Sprint("o", i), got.OrderID, "still live at 59 minutes")
			at = at.Add(time.Hour)
		}
	})

	t.Run("of simultaneous claims one wins", func(t *testing.T) {
		s := newStore(t)
		for _, at := range []time.Time{t0, t0.Add(2 * time.Hour)} { // a new key, then an expired one
			const n = 16
			got := make([]string, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					r, err := s.Claim(ctx, rec("c1", "race", fmt.Sprint(at.Unix(), "-", i), at), at)
					got[i], errs[i] = r.OrderID, err
				})
			}
			wg.Wait()
			for i := range n {
				require.NoError(t, errs[i])
				require.Equal(t, got[0], got[i], "claim %d", i)
			}
		}
	})
}
