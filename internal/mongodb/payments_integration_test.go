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
	"github.com/order-saga/shop/payments/paymentstest"
)

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

func TestPaymentsMeetTheStoreContract(t *testing.T) {
	paymentstest.RunStoreContract(t, func(t *testing.T) payments.Store { return mongodb.NewPayments(testenv.Database(t)) })
}
