//go:build integration

package mongodb_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/order-saga/shop/domain"
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

func TestCatalogContract(t *testing.T) {
	inventorytest.RunCatalogContract(t, func(t *testing.T) inventory.Catalog {
		return mongodb.NewCatalog(testenv.Database(t))
	})
}

func TestOutboxContract(t *testing.T) {
	inventorytest.RunOutboxContract(t, func(t *testing.T) inventory.Outbox {
		return mongodb.NewOutbox(testenv.Database(t))
	})
}

// TestReleasesStoredUnderTheirOldKeyStillCount: releases stored before commit and release shared one
// settlement slot carry the key "<code>|<order>|release". The ledger recognises them whenever the
// rules refuse a retried settlement, and Release, which reads the order's entries first, never
// releases such a line again even when the rules would let it (another order's units reserved).
func TestReleasesStoredUnderTheirOldKeyStillCount(t *testing.T) {
	ctx := context.Background()
	db := testenv.Database(t)
	l, err := mongodb.NewLedger(ctx, db, prometheus.NewRegistry())
	require.NoError(t, err)
	next := func(code string, kind domain.MovementKind, qty int64, order string) func(domain.Movement) (domain.Movement, error) {
		return func(h domain.Movement) (domain.Movement, error) {
			return domain.Next(h, code, kind, qty, order, time.Now())
		}
	}
	legacyRelease := func(code string, seq, onHand, reserved int64) {
		t.Helper()
		_, err := db.Collection("stock_movements").InsertOne(ctx, bson.D{
			{Key: "_id", Value: domain.MovementID(code, seq)}, {Key: "productCode", Value: code}, {Key: "seq", Value: seq},
			{Key: "kind", Value: "release"}, {Key: "quantity", Value: int64(2)}, {Key: "orderId", Value: "o"},
			{Key: "onHand", Value: onHand}, {Key: "reserved", Value: reserved}, {Key: "available", Value: onHand - reserved},
			{Key: "at", Value: time.Now()}, {Key: "idem", Value: code + "|o|release"},
		})
		require.NoError(t, err)
	}

	// The ledger: P's reserved figure is 0 after o's old-style release, so the rules refuse.
	for _, mv := range []struct {
		kind  domain.MovementKind
		qty   int64
		order string
	}{{domain.Receipt, 5, ""}, {domain.Reservation, 2, "o"}} {
		_, err = l.Append(ctx, "P", mv.order, mv.kind, next("P", mv.kind, mv.qty, mv.order))
		require.NoError(t, err)
	}
	legacyRelease("P", 3, 5, 0)
	for _, kind := range []domain.MovementKind{domain.Release, domain.Commit} {
		got, err := l.Append(ctx, "P", "o", kind, next("P", kind, 2, "o"))
		require.ErrorIs(t, err, inventory.ErrAlreadyApplied, kind)
		require.Equal(t, int64(3), got.Seq)
		require.Equal(t, domain.Release, got.Kind)
	}

	// Release: Q holds another order's 2 units, so the rules alone would release o's line again.
	for _, mv := range []struct {
		kind  domain.MovementKind
		qty   int64
		order string
	}{{domain.Receipt, 5, ""}, {domain.Reservation, 2, "o"}, {domain.Reservation, 2, "other"}} {
		_, err = l.Append(ctx, "Q", mv.order, mv.kind, next("Q", mv.kind, mv.qty, mv.order))
		require.NoError(t, err)
	}
	legacyRelease("Q", 4, 5, 2)
	res := mongodb.NewReservations(db)
	require.NoError(t, res.Insert(ctx, inventory.Reservation{OrderID: "o", State: inventory.Reserved, Lines: []inventory.ReservedLine{
		{ProductCode: "P", Quantity: 2}, {ProductCode: "Q", Quantity: 2},
	}}))
	svc := inventory.NewService(mongodb.NewCatalog(db), l, res, inventorytest.NewFakeEvents(), time.Now, testenv.Logger())
	got, err := svc.Release(ctx, "o")
	require.NoError(t, err)
	require.Equal(t, inventory.Released, got.State)
	head, err := l.Head(ctx, "Q")
	require.NoError(t, err)
	require.Equal(t, int64(4), head.Seq, "nothing appended")
	require.Equal(t, domain.StockLevel{OnHand: 5, Reserved: 2}, head.Level, "the other order's units stay reserved")
}
