package inventorytest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
)

// StockDoor is the reservation use cases as the saga's inventory steps call them: the shape of
// activities.StockKeeper, declared again here because use cases import no activities. The service
// itself is one door; the inventory's HTTP client (internal/inventoryclient) over its stock routes is
// the other, and both must answer alike for the activities to treat them alike.
type StockDoor interface {
	Reserve(ctx context.Context, orderID string, lines []inventory.LineRequest) (inventory.Reservation, error)
	Release(ctx context.Context, orderID string) (inventory.Reservation, error)
	Commit(ctx context.Context, orderID string) (inventory.Reservation, error)
}

// StockFixture is one door onto an inventory with no products.
type StockFixture struct {
	Door StockDoor
	// Service is the inventory behind the door: the suite creates products and reads stock with it.
	Service *inventory.Service
}

// RunStockContract runs the cases every door onto the reservation use cases must answer alike:
// results (states, lines with exact unit prices) and refusals (the same Go error types and values).
func RunStockContract(t *testing.T, newFixture func(t *testing.T) StockFixture) {
	ctx := context.Background()
	// setUp makes products A (10 at 19.99 USD) and B (5 at 2.50 USD).
	setUp := func(t *testing.T) StockFixture {
		f := newFixture(t)
		for _, p := range []struct {
			code  string
			qty   int64
			minor int64
		}{{"A", 10, 1999}, {"B", 5, 250}} {
			_, err := f.Service.CreateProduct(ctx, inventory.NewProduct{Code: p.code, Name: "Product " + p.code,
				Price: domain.Money{Minor: p.minor, Currency: "USD"}, Quantity: p.qty})
			require.NoError(t, err)
		}
		return f
	}
	level := func(t *testing.T, f StockFixture, code string) domain.StockLevel {
		t.Helper()
		v, err := f.Service.GetProduct(ctx, code)
		require.NoError(t, err)
		return v.Stock
	}
	lines := func(ls ...inventory.LineRequest) []inventory.LineRequest { return ls }
	line := func(code string, qty int64) inventory.LineRequest {
		return inventory.LineRequest{ProductCode: code, Quantity: qty}
	}
	reserveOK := func(t *testing.T, f StockFixture, orderID string, ls []inventory.LineRequest) inventory.Reservation {
		t.Helper()
		res, err := f.Door.Reserve(ctx, orderID, ls)
		require.NoError(t, err)
		return res
	}
	// same compares two answers but for when they were made.
	same := func(t *testing.T, want, got inventory.Reservation) {
		t.Helper()
		want.UpdatedAt, got.UpdatedAt = time.Time{}, time.Time{}
		require.Equal(t, want, got)
	}

	t.Run("reserve answers every line at its unit price", func(t *testing.T) {
		f := setUp(t)
		res := reserveOK(t, f, "o1", lines(line("B", 1), line("A", 2), line("A", 1)))
		require.Equal(t, "o1", res.OrderID)
		require.Equal(t, inventory.Reserved, res.State)
		require.Len(t, res.Lines, 2, "lines of one product are merged, ordered by code")
		require.Equal(t, []any{"A", int64(3), domain.Money{Minor: 1999, Currency: "USD"}},
			[]any{res.Lines[0].ProductCode, res.Lines[0].Quantity, res.Lines[0].UnitPrice})
		require.Equal(t, []any{"B", int64(1), domain.Money{Minor: 250, Currency: "USD"}},
			[]any{res.Lines[1].ProductCode, res.Lines[1].Quantity, res.Lines[1].UnitPrice})
		require.Positive(t, res.Lines[0].Seq, "the line's reservation entry")
		require.Equal(t, domain.StockLevel{OnHand: 10, Reserved: 3}, level(t, f, "A"))

		again := reserveOK(t, f, "o1", lines(line("B", 1), line("A", 3)))
		same(t, res, again)
		require.Equal(t, domain.StockLevel{OnHand: 10, Reserved: 3}, level(t, f, "A"), "a repeat reserves nothing more")
	})

	t.Run("an unknown product rejects the order, every time", func(t *testing.T) {
		f := setUp(t)
		for range 2 {
			_, err := f.Door.Reserve(ctx, "o2", lines(line("A", 1), line("NOPE", 1)))
			var unknown *domain.UnknownProductError
			require.ErrorAs(t, err, &unknown)
			require.Equal(t, domain.UnknownProductError{ProductCode: "NOPE"}, *unknown)
		}
		require.Equal(t, domain.StockLevel{OnHand: 10}, level(t, f, "A"), "nothing stays reserved")
	})

	t.Run("insufficient stock rejects the order with its figures, every time", func(t *testing.T) {
		f := setUp(t)
		for range 2 {
			_, err := f.Door.Reserve(ctx, "o3", lines(line("B", 1), line("A", 11)))
			var short *domain.InsufficientStockError
			require.ErrorAs(t, err, &short)
			require.Equal(t, domain.InsufficientStockError{ProductCode: "A", Requested: 11, Available: 10}, *short)
		}
		require.Equal(t, domain.StockLevel{OnHand: 5}, level(t, f, "B"), "the other line is rolled back")
		_, err := f.Door.Commit(ctx, "o3")
		require.ErrorIs(t, err, domain.ErrConflict, "a rejected order cannot be committed")
	})

	t.Run("invalid lines are refused field by field", func(t *testing.T) {
		f := setUp(t)
		for _, tt := range []struct {
			name   string
			lines  []inventory.LineRequest
			fields []domain.FieldError
		}{
			{name: "none", fields: []domain.FieldError{{Field: "items", Message: "must list at least one product"}}},
			{name: "zero quantity", lines: lines(line("A", 0)),
				fields: []domain.FieldError{{Field: "items[0].quantity", Message: "must be a whole number from 1 to 1000000000"}}},
			{name: "bad code", lines: lines(line("A", 1), line("a b", 1)), fields: []domain.FieldError{{Field: "items[1].productCode",
				Message: "may contain only letters, digits, '.', '_' and '-', and must start with a letter or digit"}}},
			{name: "too many", lines: manyLines(domain.MaxOrderLines + 1)}, // the field is the door's to name
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.Door.Reserve(ctx, "o4", tt.lines)
				var invalid *domain.ValidationError
				require.ErrorAs(t, err, &invalid)
				if tt.fields != nil {
					require.Equal(t, tt.fields, invalid.Fields)
				}
			})
		}
		require.Equal(t, domain.StockLevel{OnHand: 10}, level(t, f, "A"))
	})

	t.Run("commit settles once; release restocks once; neither undoes the other", func(t *testing.T) {
		f := setUp(t)
		reserved := reserveOK(t, f, "o5", lines(line("A", 2)))
		for range 2 {
			res, err := f.Door.Commit(ctx, "o5")
			require.NoError(t, err)
			require.Equal(t, inventory.Committed, res.State)
			require.Equal(t, reserved.Lines, res.Lines)
			require.Equal(t, domain.StockLevel{OnHand: 8}, level(t, f, "A"), "a repeated commit commits nothing again")
		}
		for range 2 {
			res, err := f.Door.Release(ctx, "o5")
			require.NoError(t, err)
			require.Equal(t, inventory.Released, res.State)
			require.True(t, res.Restocked, "committed goods come back with a receipt")
			require.Equal(t, domain.StockLevel{OnHand: 10}, level(t, f, "A"), "a repeated release gives back nothing more")
		}
		_, err := f.Door.Commit(ctx, "o5")
		require.ErrorIs(t, err, domain.ErrConflict, "a released order cannot be committed")
		_, err = f.Door.Reserve(ctx, "o5", lines(line("A", 2)))
		require.ErrorIs(t, err, domain.ErrConflict, "nor reserved again")
	})

	t.Run("release of a reserved order gives back its units", func(t *testing.T) {
		f := setUp(t)
		reserveOK(t, f, "o6", lines(line("A", 4)))
		res, err := f.Door.Release(ctx, "o6")
		require.NoError(t, err)
		require.Equal(t, inventory.Released, res.State)
		require.False(t, res.Restocked)
		require.Equal(t, domain.StockLevel{OnHand: 10}, level(t, f, "A"))
	})

	t.Run("unknown orders: commit is not found, release is done and bars a late reserve", func(t *testing.T) {
		f := setUp(t)
		_, err := f.Door.Commit(ctx, "never-reserved")
		require.ErrorIs(t, err, domain.ErrNotFound)
		res, err := f.Door.Release(ctx, "o7")
		require.NoError(t, err)
		require.Equal(t, inventory.Released, res.State)
		_, err = f.Door.Reserve(ctx, "o7", lines(line("A", 1)))
		require.ErrorIs(t, err, domain.ErrConflict, "the compensation ran first: the late reserve is refused")
		require.Equal(t, domain.StockLevel{OnHand: 10}, level(t, f, "A"))
	})
}

// manyLines returns n lines of distinct, well-formed codes.
func manyLines(n int) []inventory.LineRequest {
	out := make([]inventory.LineRequest, n)
	for i := range out {
		out[i] = inventory.LineRequest{ProductCode: "P" + strconv.Itoa(i), Quantity: 1}
	}
	return out
}
