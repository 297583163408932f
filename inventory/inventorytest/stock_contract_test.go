package inventorytest_test

import (
	"testing"

	"github.com/order-saga/shop/inventory/inventorytest"
)

// TestServiceStockContractOnFakes runs the stock contract on the service itself over in-memory ports.
func TestServiceStockContractOnFakes(t *testing.T) {
	inventorytest.RunStockContract(t, func(t *testing.T) inventorytest.StockFixture {
		svc := inventorytest.NewFakePorts().Service(nil)
		return inventorytest.StockFixture{Door: svc, Service: svc}
	})
}
