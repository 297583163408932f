//go:build integration

package mongodb_test

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/inventory"
	"github.com/order-saga/shop/inventory/inventorytest"
)

// TestLedgerContract holds the MongoDB ledger to the contract the in-memory fake also passes.
func TestLedgerContract(t *testing.T) {
	inventorytest.RunLedgerContract(t, func(t *testing.T) inventorytest.LedgerFixture {
		ctx := context.Background()
		db := testenv.Database(t)
		open := func() inventory.Ledger {
			l, err := mongodb.NewLedger(ctx, db, prometheus.NewRegistry())
			require.NoError(t, err)
			return l
		}
		return inventorytest.LedgerFixture{Ledger: open(), Again: open}
	})
}

func TestReservationsContract(t *testing.T) {
	inventorytest.RunReservationsContract(t, func(t *testing.T) inventory.Reservations {
		return mongodb.NewReservations(testenv.Database(t))
	})
}
