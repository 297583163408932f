//go:build integration

package mongodb_test

import (
	"testing"

	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/orders/idempotencytest"
)

func TestIdempotencyKeysMeetTheContract(t *testing.T) {
	idempotencytest.Run(t, func(t *testing.T) orders.IdempotencyStore {
		return mongodb.NewIdempotencyKeys(testenv.Database(t))
	})
}
