//go:build integration

package inventory_test

import (
	"testing"

	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/inventory/inventorytest"
)

// TestModelOverMongo: the property test of the use cases over FerretDB (or MongoDB) and RabbitMQ.
// FerretDB manages ~100 operations a second, so fewer, shorter cases than over the fakes: 30 cases
// took 10 s on the 2-core development machine (30 s while other test suites loaded it).
func TestModelOverMongo(t *testing.T) {
	inventorytest.RunModel(t, inventorytest.ModelConfig{Checks: 30, MaxSteps: 20}, testenv.InventoryPorts(t))
}
