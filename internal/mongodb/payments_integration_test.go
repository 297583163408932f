//go:build integration

package mongodb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/payments"
)

// TestPaymentMovesOnlyFromTheExpectedStatus: the store moves a payment only from the status the caller
// read; a late or repeated move finds it elsewhere and writes nothing.
func TestPaymentMovesOnlyFromTheExpectedStatus(t *testing.T) {
	ctx := context.Background()
	store := mongodb.NewPayments(testenv.Database(t))
	now := time.Now().UTC().Truncate(time.Millisecond)
	p := payments.Payment{ID: "pay_o1", OrderID: "o1", Token: payments.TokenVisa, Amount: domain.Money{Minor: 100, Currency: "USD"},
		Status: payments.Authorized, CreatedAt: now, UpdatedAt: now}
	require.NoError(t, store.Insert(ctx, p))

	tests := []struct {
		name  string
		from  payments.Status
		to    payments.Status
		moved bool
		after payments.Status
	}{
		{"authorized → captured", payments.Authorized, payments.Captured, true, payments.Captured},
		{"a late void of the authorization", payments.Authorized, payments.Voided, false, payments.Captured},
		{"captured → refunded", payments.Captured, payments.Refunded, true, payments.Refunded},
		{"a repeated capture", payments.Authorized, payments.Captured, false, payments.Refunded},
		{"a late capture read before the refund", payments.Captured, payments.Captured, false, payments.Refunded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := p
			q.Status, q.UpdatedAt = tt.to, time.Now().UTC().Truncate(time.Millisecond)
			moved, err := store.Move(ctx, q, tt.from)
			require.NoError(t, err)
			require.Equal(t, tt.moved, moved)
			got, err := store.Get(ctx, "o1")
			require.NoError(t, err)
			require.Equal(t, tt.after, got.Status)
		})
	}
}

// TestSandboxCaptureAndVoidRaceHasOneWinner: a capture and a void of the same authorization sent at
// once (a retried capture racing the compensation's void) cannot both succeed: the loser is refused as
// a conflict and the payment stays where the winner put it.
func TestSandboxCaptureAndVoidRaceHasOneWinner(t *testing.T) {
	ctx := context.Background()
	sb := payments.NewSandbox(mongodb.NewPayments(testenv.Database(t)), time.Now, testenv.Logger())
	const races = 40
	for i := range races {
		order := fmt.Sprintf("race-%d", i)
		_, err := sb.Authorize(ctx, order, payments.TokenVisa, domain.Money{Minor: 100, Currency: "USD"})
		require.NoError(t, err)
		var wg sync.WaitGroup
		var captureErr, voidErr error
		wg.Add(2)
		go func() { defer wg.Done(); _, captureErr = sb.Capture(ctx, order) }()
		go func() { defer wg.Done(); _, voidErr = sb.Void(ctx, order) }()
		wg.Wait()
		require.True(t, (captureErr == nil) != (voidErr == nil), "%s: exactly one of capture (%v) and void (%v) succeeds", order, captureErr, voidErr)
		got, err := sb.Get(ctx, order)
		require.NoError(t, err)
		if captureErr == nil {
			require.Equal(t, payments.Captured, got.Status, order)
			require.ErrorIs(t, voidErr, domain.ErrConflict)
		} else {
			require.Equal(t, payments.Voided, got.Status, order)
			require.ErrorIs(t, captureErr, domain.ErrConflict)
		}
	}
}
