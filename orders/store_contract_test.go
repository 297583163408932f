package orders_test

import (
	"testing"

	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/orders/orderstest"
)

func TestMemoryStoreMeetsTheContract(t *testing.T) {
	orderstest.RunStoreContract(t, func(*testing.T) orders.Store { return orderstest.NewMemoryStore() })
}
