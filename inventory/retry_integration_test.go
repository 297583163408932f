//go:build integration

package inventory_test

import (
	"testing"

	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/inventory/inventorytest"
)

func mongoPorts(t *testing.T) inventorytest.Ports { return testenv.InventoryPorts(t) }

func TestRetriedSettlementAfterItsEntryLandedOnMongo(t *testing.T) {
	testRetriedSettlementAfterItsEntryLanded(t, mongoPorts)
}

func TestCancelAfterAHalfDoneCommitOnMongo(t *testing.T) {
	testCancelAfterAHalfDoneCommit(t, mongoPorts)
}

func TestRetriedRollbackKeepsReleasedLinesReleasedOnMongo(t *testing.T) {
	testRetriedRollbackKeepsReleasedLinesReleased(t, mongoPorts)
}

func TestCommitRacingReleaseConvergesOnMongo(t *testing.T) {
	testCommitRacingReleaseConverges(t, mongoPorts)
}

func TestLateReserveRacingReleaseHoldsNothingOnMongo(t *testing.T) {
	testLateReserveRacingReleaseHoldsNothing(t, mongoPorts)
}
