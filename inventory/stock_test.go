package inventory_test

import (
	"context"
	"testing"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
	"github.com/order-saga/shop/inventory/inventorytest"
	"github.com/stretchr/testify/require"
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

// Reserve checks an order's lines as the order service does (domain.ValidateOrderLines: same fields,
// same words) before it touches the store, and folds a product listed twice into one line.
func TestReserveValidatesLinesAsOrdersDo(t *testing.T) {
	ctx := context.Background()
	svc := inventorytest.NewFakePorts().Service(nil)
	_, err := svc.Reserve(ctx, "", lines("A", 0, "a#b", 1))
	var ve *domain.ValidationError
	require.ErrorAs(t, err, &ve)
	want := &domain.ValidationError{}
	want.Add("orderId", "must not be empty")
	domain.ValidateOrderLines(want, []domain.OrderLine{{ProductCode: "A", Quantity: 0}, {ProductCode: "a#b", Quantity: 1}})
	require.Equal(t, want.Fields, ve.Fields)
	require.Contains(t, err.Error(), "must be a whole number from 1 to")

	_, err = svc.Reserve(ctx, "o1", make([]inventory.LineRequest, domain.MaxOrderLines+1))
	require.ErrorContains(t, err, "must list at most")

	sc := newScenario(t, fakePorts, map[string]int64{"A": 5, "B": 5})
	res, err := sc.service.Reserve(ctx, "o2", lines("B", 1, "A", 1, "B", 2))
	require.NoError(t, err)
	require.Len(t, res.Lines, 2)
	require.Equal(t, []string{"A", "B"}, []string{res.Lines[0].ProductCode, res.Lines[1].ProductCode})
	require.Equal(t, []int64{1, 3}, []int64{res.Lines[0].Quantity, res.Lines[1].Quantity})
}
