package paymentstest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/payments"
)

// RunStoreContract runs the contract of payments.Store against a store of the test's own from newStore.
func RunStoreContract(t *testing.T, newStore func(t *testing.T) payments.Store) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 16, 0, 0, 123_000_000, time.UTC)
	authorized := payments.Payment{ID: "pay_o1", OrderID: "o1", Token: payments.TokenVisa,
		Amount: domain.Money{Minor: 100, Currency: "USD"}, Status: payments.Authorized, CreatedAt: at, UpdatedAt: at}
	requireStored := func(t *testing.T, s payments.Store, want payments.Payment) {
		t.Helper()
		got, err := s.Get(ctx, want.OrderID)
		require.NoError(t, err)
		require.True(t, want.CreatedAt.Equal(got.CreatedAt) && want.UpdatedAt.Equal(got.UpdatedAt),
			"times %v %v, want %v %v", got.CreatedAt, got.UpdatedAt, want.CreatedAt, want.UpdatedAt)
		got.CreatedAt, got.UpdatedAt = want.CreatedAt, want.UpdatedAt
		require.Equal(t, want, got)
	}

	t.Run("Insert stores a payment; a second one for the order conflicts and changes nothing", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Insert(ctx, authorized))
		requireStored(t, s, authorized)
		other := authorized
		other.Status, other.Token = payments.Declined, payments.TokenDeclined
		require.ErrorIs(t, s.Insert(ctx, other), domain.ErrConflict)
		requireStored(t, s, authorized)
	})

	t.Run("Get of an order without a payment is not found", func(t *testing.T) {
		_, err := newStore(t).Get(ctx, "nobody")
		require.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("Move changes the status only from the one the caller read", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Insert(ctx, authorized))
		for i, step := range []struct {
			name      string
			from, to  payments.Status
			moved     bool
			nowStatus payments.Status
		}{
			{"authorized → captured", payments.Authorized, payments.Captured, true, payments.Captured},
			{"a late void of the authorization", payments.Authorized, payments.Voided, false, payments.Captured},
			{"captured → refunded", payments.Captured, payments.Refunded, true, payments.Refunded},
			{"a repeated capture", payments.Authorized, payments.Captured, false, payments.Refunded},
			{"a late capture read before the refund", payments.Captured, payments.Captured, false, payments.Refunded},
		} {
			q := authorized
			q.Status, q.UpdatedAt = step.to, at.Add(time.Duration(i+1)*time.Second)
			moved, err := s.Move(ctx, q, step.from)
			require.NoError(t, err, step.name)
			require.Equal(t, step.moved, moved, step.name)
			got, err := s.Get(ctx, "o1")
			require.NoError(t, err)
			require.Equal(t, step.nowStatus, got.Status, step.name)
			if step.moved {
				require.True(t, q.UpdatedAt.Equal(got.UpdatedAt), "%s: updatedAt moves with the status", step.name)
			}
		}
	})

	t.Run("Move of an order without a payment is not found and stores nothing", func(t *testing.T) {
		s := newStore(t)
		q := authorized
		q.Status = payments.Captured
		moved, err := s.Move(ctx, q, payments.Authorized)
		require.ErrorIs(t, err, domain.ErrNotFound)
		require.False(t, moved)
		_, err = s.Get(ctx, "o1")
		require.ErrorIs(t, err, domain.ErrNotFound)
	})
}
