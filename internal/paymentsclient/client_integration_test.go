//go:build integration

package paymentsclient_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/api/paymentsapi"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/internal/paymentsclient"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/payments"
)

// sandbox serves the payment sandbox over HTTP on the real store.
func sandbox(t *testing.T) (*httptest.Server, *mongodb.Payments) {
	store := mongodb.NewPayments(testenv.Database(t))
	r := chi.NewRouter()
	paymentsapi.Mount(r, payments.NewSandbox(store, time.Now, testenv.Logger()), testenv.Logger())
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv, store
}

var usd = func(minor int64) domain.Money { return domain.Money{Minor: minor, Currency: "USD"} }

func TestGatewayAgainstTheSandbox(t *testing.T) {
	srv, store := sandbox(t)
	c := paymentsclient.New(srv.URL, 5*time.Second, testenv.Logger())
	ctx := context.Background()

	id, err := c.Authorize(ctx, "o1:authorize", "o1", payments.TokenVisa, usd(1234))
	require.NoError(t, err)
	again, err := c.Authorize(ctx, "o1:authorize", "o1", payments.TokenVisa, usd(1234))
	require.NoError(t, err)
	require.Equal(t, id, again, "a repeated authorization is the same payment")
	require.NoError(t, c.Capture(ctx, "o1:capture", "o1"))
	require.NoError(t, c.Capture(ctx, "o1:capture", "o1"), "capture is idempotent")
	require.ErrorIs(t, c.Void(ctx, "o1:void", "o1"), domain.ErrConflict, "a captured payment is refunded, not voided")
	require.NoError(t, c.Refund(ctx, "o1:refund", "o1"))
	require.NoError(t, c.Refund(ctx, "o1:refund", "o1"))
	p, err := store.Get(ctx, "o1")
	require.NoError(t, err)
	require.Equal(t, payments.Refunded, p.Status)
	require.Equal(t, usd(1234), p.Amount)

	_, err = c.Authorize(ctx, "o2:authorize", "o2", payments.TokenDeclined, usd(100))
	require.ErrorIs(t, err, domain.ErrPaymentDeclined)
	_, err = c.Authorize(ctx, "o2:authorize", "o2", payments.TokenDeclined, usd(100))
	require.ErrorIs(t, err, domain.ErrPaymentDeclined, "a decline is remembered")

	// A void before any authorization leaves a record that refuses a late authorization.
	require.NoError(t, c.Void(ctx, "o3:void", "o3"))
	_, err = c.Authorize(ctx, "o3:authorize", "o3", payments.TokenVisa, usd(100))
	require.ErrorIs(t, err, domain.ErrConflict)

	_, err = c.Authorize(ctx, "o4:authorize", "o4", "tok_unknown", usd(100))
	require.ErrorIs(t, err, domain.ErrInvalid)
	require.ErrorIs(t, c.Capture(ctx, "o5:capture", "o5"), domain.ErrNotFound)
}

func TestCircuitBreakerOpensWhileTheProviderIsDown(t *testing.T) {
	srv, _ := sandbox(t)
	url := srv.URL
	srv.Close() // the provider is down
	c := paymentsclient.New(url, time.Second, testenv.Logger())
	ctx := context.Background()

	for range 5 {
		_, err := c.Authorize(ctx, "k", "o", payments.TokenVisa, usd(1))
		require.Error(t, err)
		require.False(t, errors.Is(err, domain.ErrPaymentDeclined))
	}
	_, err := c.Authorize(ctx, "k", "o", payments.TokenVisa, usd(1))
	require.ErrorContains(t, err, "circuit breaker is open", "after 5 failures calls fail at once")
}
