//go:build integration

package inventory_test

import (
	"testing"

	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/inventory/inventorytest"
)

// TestServiceStockContract runs the stock contract on the service itself over the real store and
// broker; internal/inventoryclient runs the same cases through the HTTP door.
func TestServiceStockContract(t *testing.T) {
	inventorytest.RunStockContract(t, func(t *testing.T) inventorytest.StockFixture {
		inv := testenv.NewInventory(t)
		return inventorytest.StockFixture{Door: inv.Service, Service: inv.Service}
	})
}
