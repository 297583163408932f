package orders_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/orders/idempotencytest"
)

func TestMemoryIdempotencyStoreMeetsTheContract(t *testing.T) {
	idempotencytest.Run(t, func(*testing.T) orders.IdempotencyStore { return &idempotencytest.MemoryStore{} })
}

func TestIdempotencyKeysOrderFor(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	keys := orders.IdempotencyKeys{Store: &idempotencytest.MemoryStore{}, Lifetime: 24 * time.Hour, Now: func() time.Time { return now }}

	id, repeat, err := keys.OrderFor(ctx, "c1", "k", "fp1", "o1")
	require.NoError(t, err)
	require.Equal(t, []any{"o1", false}, []any{id, repeat})

	id, repeat, err = keys.OrderFor(ctx, "c1", "k", "fp1", "o2")
	require.NoError(t, err)
	require.Equal(t, []any{"o1", true}, []any{id, repeat}, "the same request is the first order")

	_, _, err = keys.OrderFor(ctx, "c1", "k", "fp2", "o3")
	require.ErrorIs(t, err, domain.ErrIdempotencyKeyReused)

	id, repeat, err = keys.OrderFor(ctx, "c2", "k", "fp2", "o4")
	require.NoError(t, err)
	require.Equal(t, []any{"o4", false}, []any{id, repeat}, "another customer's key")

	now = now.Add(24 * time.Hour)
	id, repeat, err = keys.OrderFor(ctx, "c1", "k", "fp2", "o5")
	require.NoError(t, err)
	require.Equal(t, []any{"o5", false}, []any{id, repeat}, "after its lifetime the key is free")
}
