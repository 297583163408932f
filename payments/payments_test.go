package payments_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/payments"
	"github.com/order-saga/shop/payments/paymentstest"
)

var usd100 = domain.Money{Minor: 100, Currency: "USD"}

func newSandbox() *payments.Sandbox {
	return payments.NewSandbox(paymentstest.NewFakeStore(), time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func TestFakeStoreMeetsTheContract(t *testing.T) {
	paymentstest.RunStoreContract(t, func(*testing.T) payments.Store { return paymentstest.NewFakeStore() })
}

// op is one sandbox operation on order "o".
type op func(s *payments.Sandbox) (payments.Payment, error)

var (
	authorize = func(token string) op {
		return func(s *payments.Sandbox) (payments.Payment, error) {
			return s.Authorize(context.Background(), "o", token, usd100)
		}
	}
	capture op = func(s *payments.Sandbox) (payments.Payment, error) { return s.Capture(context.Background(), "o") }
	void    op = func(s *payments.Sandbox) (payments.Payment, error) { return s.Void(context.Background(), "o") }
	refund  op = func(s *payments.Sandbox) (payments.Payment, error) { return s.Refund(context.Background(), "o") }
)

// TestSandboxRules: each sequence of operations, as the saga and its retries send them, and where the
// payment ends. Every operation may be repeated: a repeat answers as the first did.
func TestSandboxRules(t *testing.T) {
	tests := []struct {
		name    string
		before  []op // succeed, each twice (a retry)
		last    op
		wantErr error // of last (nil: success, repeated too)
		status  payments.Status
	}{
		{"tok_visa authorizes", nil, authorize(payments.TokenVisa), nil, payments.Authorized},
		{"tok_chargeDeclined declines", nil, authorize(payments.TokenDeclined), domain.ErrPaymentDeclined, payments.Declined},
		{"capture after authorize", []op{authorize(payments.TokenVisa)}, capture, nil, payments.Captured},
		{"void after authorize", []op{authorize(payments.TokenVisa)}, void, nil, payments.Voided},
		{"refund after capture", []op{authorize(payments.TokenVisa), capture}, refund, nil, payments.Refunded},
		{"refund of an uncaptured authorization voids it", []op{authorize(payments.TokenVisa)}, refund, nil, payments.Voided},
		{"void without a payment leaves a voided record", nil, void, nil, payments.Voided},
		{"a late authorize after a void is refused", []op{void}, authorize(payments.TokenVisa), domain.ErrConflict, payments.Voided},
		{"void of a captured payment is refused", []op{authorize(payments.TokenVisa), capture}, void, domain.ErrConflict, payments.Captured},
		{"capture after a void is refused", []op{authorize(payments.TokenVisa), void}, capture, domain.ErrConflict, payments.Voided},
		{"capture after a refund is refused", []op{authorize(payments.TokenVisa), capture, refund}, capture, domain.ErrConflict, payments.Refunded},
		{"capture without a payment is not found", nil, capture, domain.ErrNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSandbox()
			for _, o := range tt.before {
				for range 2 {
					_, err := o(s)
					require.NoError(t, err)
				}
			}
			for range 2 {
				_, err := tt.last(s)
				if tt.wantErr == nil {
					require.NoError(t, err)
				} else {
					require.ErrorIs(t, err, tt.wantErr)
				}
			}
			p, err := s.Get(context.Background(), "o")
			if tt.status == "" {
				require.ErrorIs(t, err, domain.ErrNotFound)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.status, p.Status)
		})
	}
}

func TestSandboxDeclinedStaysDeclined(t *testing.T) {
	s := newSandbox()
	_, err := s.Authorize(context.Background(), "o", payments.TokenDeclined, usd100)
	require.ErrorIs(t, err, domain.ErrPaymentDeclined)
	_, err = s.Authorize(context.Background(), "o", payments.TokenVisa, usd100)
	require.ErrorIs(t, err, domain.ErrPaymentDeclined, "a retry with another card answers as the first did")
	_, err = s.Capture(context.Background(), "o")
	require.ErrorIs(t, err, domain.ErrConflict)
	p, err := s.Void(context.Background(), "o")
	require.NoError(t, err)
	require.Equal(t, payments.Declined, p.Status, "nothing to void: the decline stands")
}

func TestSandboxRefusesBadAuthorizations(t *testing.T) {
	tests := []struct {
		name           string
		orderID, token string
		amount         domain.Money
		fields         []string
	}{
		{"no order", "", payments.TokenVisa, usd100, []string{"orderId"}},
		{"unknown token", "o", "tok_unknown", usd100, []string{"token"}},
		{"zero amount", "o", payments.TokenVisa, domain.Money{Currency: "USD"}, []string{"amount"}},
		{"unknown currency", "o", payments.TokenVisa, domain.Money{Minor: 1, Currency: "XXX"}, []string{"currency"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSandbox()
			_, err := s.Authorize(context.Background(), tt.orderID, tt.token, tt.amount)
			var v *domain.ValidationError
			require.ErrorAs(t, err, &v)
			for _, f := range tt.fields {
				require.Contains(t, err.Error(), f)
			}
			_, err = s.Get(context.Background(), tt.orderID)
			require.ErrorIs(t, err, domain.ErrNotFound, "a refused authorization stores nothing")
		})
	}
}

// TestSandboxCaptureRacingVoidHasOneWinner over the fake: the sandbox's own lock decides (the MongoDB
// adapter's run of the same race is an integration test).
func TestSandboxCaptureRacingVoidHasOneWinner(t *testing.T) {
	for range 50 {
		s := newSandbox()
		_, err := s.Authorize(context.Background(), "o", payments.TokenVisa, usd100)
		require.NoError(t, err)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, o := range []op{capture, void} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = o(s)
			}()
		}
		wg.Wait()
		require.True(t, (errs[0] == nil) != (errs[1] == nil), "exactly one wins: capture %v, void %v", errs[0], errs[1])
		p, err := s.Get(context.Background(), "o")
		require.NoError(t, err)
		if errs[0] == nil {
			require.Equal(t, payments.Captured, p.Status)
		} else {
			require.ErrorIs(t, errs[0], domain.ErrConflict)
			require.Equal(t, payments.Voided, p.Status)
		}
	}
}
