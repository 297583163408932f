//go:build integration

package mongodb_test

import (
	"testing"

	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/orders/orderstest"
)

// TestOrdersMeetTheStoreContract holds the MongoDB order store to the contract its in-memory fake
// passes too (orderstest): every field kept, never backwards, filters and pages, the newest transition
// kept under concurrent saves.
func TestOrdersMeetTheStoreContract(t *testing.T) {
	orderstest.RunStoreContract(t, func(t *testing.T) orders.Store {
		return mongodb.NewOrders(testenv.Database(t))
	})
}
