package inventorytest_test

import (
	"testing"

	"github.com/order-saga/shop/inventory"
	"github.com/order-saga/shop/inventory/inventorytest"
)

func TestFakeLedgerContract(t *testing.T) {
	inventorytest.RunLedgerContract(t, func(t *testing.T) inventorytest.LedgerFixture {
		l := inventorytest.NewFakeLedger()
		return inventorytest.LedgerFixture{Ledger: l, Again: func() inventory.Ledger { return l }}
	})
}

func TestFakeReservationsContract(t *testing.T) {
	inventorytest.RunReservationsContract(t, func(t *testing.T) inventory.Reservations {
		return inventorytest.NewFakeReservations()
	})
}

func TestFakeCatalogContract(t *testing.T) {
	inventorytest.RunCatalogContract(t, func(t *testing.T) inventory.Catalog { return inventorytest.NewFakeCatalog() })
}

func TestFakeOutboxContract(t *testing.T) {
	inventorytest.RunOutboxContract(t, func(t *testing.T) inventory.Outbox { return &inventorytest.FakeOutbox{} })
}
