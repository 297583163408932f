package inventory_test

import (
	"testing"

	"github.com/order-saga/shop/inventory/inventorytest"
)

func fakePorts(*testing.T) inventorytest.Ports { return inventorytest.NewFakePorts() }

func TestRetriedSettlementAfterItsEntryLanded(t *testing.T) {
	testRetriedSettlementAfterItsEntryLanded(t, fakePorts)
}

func TestCancelAfterAHalfDoneCommit(t *testing.T) { testCancelAfterAHalfDoneCommit(t, fakePorts) }

func TestRetriedRollbackKeepsReleasedLinesReleased(t *testing.T) {
	testRetriedRollbackKeepsReleasedLinesReleased(t, fakePorts)
}

func TestCommitRacingReleaseConverges(t *testing.T) { testCommitRacingReleaseConverges(t, fakePorts) }

func TestLateReserveRacingReleaseHoldsNothing(t *testing.T) {
	testLateReserveRacingReleaseHoldsNothing(t, fakePorts)
}
