package inventory_test

import (
	"testing"

	"github.com/order-saga/shop/inventory/inventorytest"
)

// TestModelOverFakes: the property test of the use cases over the in-memory fakes (fast: many cases).
func TestModelOverFakes(t *testing.T) {
	inventorytest.RunModel(t, inventorytest.ModelConfig{Checks: 300, MaxSteps: 30}, inventorytest.NewFakePorts())
}
