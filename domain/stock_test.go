package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
)

func TestStockLevelApply(t *testing.T) {
	start := domain.StockLevel{OnHand: 10, Reserved: 4} // available 6
	tests := []struct {
		name    string
		kind    domain.MovementKind
		qty     int64
		want    domain.StockLevel
		wantErr string
	}{
		{name: "receipt adds on hand", kind: domain.Receipt, qty: 5, want: domain.StockLevel{OnHand: 15, Reserved: 4}},
		{name: "adjustment up", kind: domain.Adjustment, qty: 3, want: domain.StockLevel{OnHand: 13, Reserved: 4}},
		{name: "adjustment down to reserved", kind: domain.Adjustment, qty: -6, want: domain.StockLevel{OnHand: 4, Reserved: 4}},
		{name: "adjustment below reserved", kind: domain.Adjustment, qty: -7, wantErr: "4 are reserved"},
		{name: "adjustment of zero says nothing", kind: domain.Adjustment, qty: 0, wantErr: "must not be 0"},
		{name: "reservation of all available", kind: domain.Reservation, qty: 6, want: domain.StockLevel{OnHand: 10, Reserved: 10}},
		{name: "reservation beyond available", kind: domain.Reservation, qty: 7, wantErr: "requested 7, available 6"},
		{name: "release", kind: domain.Release, qty: 4, want: domain.StockLevel{OnHand: 10, Reserved: 0}},
		{name: "release more than reserved", kind: domain.Release, qty: 5, wantErr: "exceeds reserved"},
		{name: "commit takes goods out", kind: domain.Commit, qty: 3, want: domain.StockLevel{OnHand: 7, Reserved: 1}},
		{name: "commit more than reserved", kind: domain.Commit, qty: 5, wantErr: "exceeds reserved"},
		{name: "negative reservation", kind: domain.Reservation, qty: -1, wantErr: "must be positive"},
		{name: "zero receipt", kind: domain.Receipt, qty: 0, wantErr: "must be positive"},
		{name: "unknown kind", kind: "theft", qty: 1, wantErr: "unknown movement kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := start.Apply("P1", tt.kind, tt.qty)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.Equal(t, start, got, "a refused movement leaves the level as it was")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.NoError(t, got.Check())
			require.Equal(t, got.OnHand-got.Reserved, got.Available())
		})
	}
}

func TestInsufficientStockIsTyped(t *testing.T) {
	_, err := domain.StockLevel{OnHand: 2}.Apply("P1", domain.Reservation, 3)
	var ise *domain.InsufficientStockError
	require.True(t, errors.As(err, &ise))
	require.Equal(t, int64(2), ise.Available)
	require.Equal(t, int64(3), ise.Requested)
}

func TestNextChainsTheLedger(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var head domain.Movement // a product without entries
	steps := []struct {
		kind domain.MovementKind
		qty  int64
	}{{domain.Receipt, 10}, {domain.Reservation, 3}, {domain.Commit, 3}, {domain.Reservation, 2}, {domain.Release, 2}, {domain.Adjustment, -1}}
	for i, s := range steps {
		next, err := domain.Next(head, "P1", s.kind, s.qty, "o1", at)
		require.NoError(t, err)
		require.Equal(t, int64(i+1), next.Seq)
		require.Equal(t, domain.MovementID("P1", int64(i+1)), next.ID())
		head = next
	}
	require.Equal(t, domain.StockLevel{OnHand: 6, Reserved: 0}, head.Level)
}

func TestProductValidate(t *testing.T) {
	price := domain.Money{Minor: 100, Currency: "USD"}
	long := make([]byte, domain.MaxNameLen+1)
	for i := range long {
		long[i] = 'a'
	}
	tests := []struct {
		name       string
		p          domain.Product
		wantFields []string
	}{
		{name: "valid", p: domain.Product{Code: "INV-000000001", Name: "Widget", Price: price}},
		{name: "everything wrong", p: domain.Product{Code: "a#b", Name: "", Price: domain.Money{Currency: "USD"}, LowStockThreshold: -1},
			wantFields: []string{"productCode", "name", "price", "lowStockThreshold"}},
		{name: "name too long", p: domain.Product{Code: "X", Name: string(long), Price: price}, wantFields: []string{"name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if tt.wantFields == nil {
				require.NoError(t, err)
				return
			}
			var ve *domain.ValidationError
			require.True(t, errors.As(err, &ve))
			var got []string
			for _, f := range ve.Fields {
				got = append(got, f.Field)
			}
			require.Equal(t, tt.wantFields, got)
		})
	}
}

func TestNewProductCode(t *testing.T) {
	code := domain.NewProductCode()
	require.Regexp(t, `^INV-\d{9}$`, code)
	var v domain.ValidationError
	domain.ValidateProductCode(&v, "productCode", code)
	require.NoError(t, v.Err())
}
