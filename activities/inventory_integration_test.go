//go:build integration

package activities_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/testenv"
)

func inventoryEnv(t *testing.T) (*testsuite.TestActivityEnvironment, testenv.Inventory) {
	inv := testenv.NewInventory(t)
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	acts := &activities.Inventory{Stock: inv.Service}
	acts.Register(env)
	return env, inv
}

func TestReserveStockActivity(t *testing.T) {
	env, inv := inventoryEnv(t)
	inv.Product(t, "ACT-1", 5, "12.34")

	tests := []struct {
		name      string
		in        activities.ReserveStockInput
		wantType  string
		wantMsg   string
		wantLines []activities.PricedLine
	}{
		{
			name:      "reserves and prices the line",
			in:        activities.ReserveStockInput{OrderID: "o-ok", Lines: []activities.StockLine{{ProductCode: "ACT-1", Quantity: 2}}},
			wantLines: []activities.PricedLine{{ProductCode: "ACT-1", Quantity: 2, UnitPriceMinor: 1234, Currency: "USD"}},
		},
		{
			name:      "a retry answers the same",
			in:        activities.ReserveStockInput{OrderID: "o-ok", Lines: []activities.StockLine{{ProductCode: "ACT-1", Quantity: 2}}},
			wantLines: []activities.PricedLine{{ProductCode: "ACT-1", Quantity: 2, UnitPriceMinor: 1234, Currency: "USD"}},
		},
		{
			name:     "not enough stock is non-retryable with what is available",
			in:       activities.ReserveStockInput{OrderID: "o-short", Lines: []activities.StockLine{{ProductCode: "ACT-1", Quantity: 4}}},
			wantType: activities.ErrTypeInsufficientStock,
			wantMsg:  "requested 4, available 3",
		},
		{
			name:     "unknown product is non-retryable",
			in:       activities.ReserveStockInput{OrderID: "o-unknown", Lines: []activities.StockLine{{ProductCode: "NOPE", Quantity: 1}}},
			wantType: activities.ErrTypeUnknownProduct,
			wantMsg:  "NOPE",
		},
		{
			name:     "bad input is non-retryable",
			in:       activities.ReserveStockInput{OrderID: "o-bad", Lines: []activities.StockLine{{ProductCode: "ACT-1", Quantity: 0}}},
			wantType: activities.ErrTypeInvalidInput,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			val, err := env.ExecuteActivity(activities.ReserveStockName, tt.in)
			if tt.wantType == "" {
				require.NoError(t, err)
				var got activities.ReserveStockResult
				require.NoError(t, val.Get(&got))
				require.Equal(t, tt.wantLines, got.Lines)
				return
			}
			var appErr *temporal.ApplicationError
			require.True(t, errors.As(err, &appErr), "got %v", err)
			require.Equal(t, tt.wantType, appErr.Type())
			require.True(t, appErr.NonRetryable())
			require.Contains(t, appErr.Message(), tt.wantMsg)
		})
	}

	head, err := inv.Ledger.Head(context.Background(), "ACT-1")
	require.NoError(t, err)
	require.Equal(t, domain.StockLevel{OnHand: 5, Reserved: 2}, head.Level, "one reservation in all")
}

func TestCommitAndReleaseActivitiesAreIdempotent(t *testing.T) {
	env, inv := inventoryEnv(t)
	inv.Product(t, "ACT-2", 5, "1")
	ctx := context.Background()

	_, err := env.ExecuteActivity(activities.ReserveStockName, activities.ReserveStockInput{OrderID: "o", Lines: []activities.StockLine{{ProductCode: "ACT-2", Quantity: 3}}})
	require.NoError(t, err)
	for range 3 {
		_, err = env.ExecuteActivity(activities.CommitStockName, "o")
		require.NoError(t, err)
	}
	head, _ := inv.Ledger.Head(ctx, "ACT-2")
	require.Equal(t, domain.StockLevel{OnHand: 2}, head.Level)
	require.Equal(t, int64(3), head.Seq)

	for range 3 {
		_, err = env.ExecuteActivity(activities.ReleaseStockName, "o")
		require.NoError(t, err)
	}
	head, _ = inv.Ledger.Head(ctx, "ACT-2")
	require.Equal(t, domain.StockLevel{OnHand: 5}, head.Level, "a committed order's goods are restocked once")
	require.Equal(t, int64(4), head.Seq)

	_, err = env.ExecuteActivity(activities.CommitStockName, "o")
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr))
	require.Equal(t, activities.ErrTypeConflict, appErr.Type(), "a released order cannot be committed")
}
