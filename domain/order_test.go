package domain_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
)

func TestOrderStatusMachine(t *testing.T) {
	tests := []struct {
		from, to domain.OrderStatus
		ok       bool
	}{
		{domain.StatusPending, domain.StatusReserved, true},
		{domain.StatusPending, domain.StatusRejected, true},
		{domain.StatusReserved, domain.StatusConfirmed, true},
		{domain.StatusConfirmed, domain.StatusCompleted, true},
		{domain.StatusReserved, domain.StatusCompensating, true},
		{domain.StatusCompensating, domain.StatusFailed, true},
		{domain.StatusCompensating, domain.StatusCancelled, true},
		{domain.StatusCompensating, domain.StatusRejected, true}, // an order that cannot be priced, once its stock is released
		{domain.StatusConfirmed, domain.StatusCompensating, true},
		{domain.StatusNeedsAttention, domain.StatusCompensating, true},
		{domain.StatusReserved, domain.StatusNeedsAttention, true},
		{domain.StatusNeedsAttention, domain.StatusReserved, true},
		{domain.StatusPending, domain.StatusConfirmed, false},
		{domain.StatusPending, domain.StatusCompleted, false},
		{domain.StatusReserved, domain.StatusCompleted, false},
		{domain.StatusCompleted, domain.StatusCompensating, false},
		{domain.StatusCompleted, domain.StatusCancelled, false},
		{domain.StatusRejected, domain.StatusReserved, false},
		{domain.StatusCancelled, domain.StatusPending, false},
		{domain.StatusFailed, domain.StatusConfirmed, false},
		{domain.StatusCompensating, domain.StatusConfirmed, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"→"+string(tt.to), func(t *testing.T) {
			o := domain.Order{ID: "o", Status: tt.from}
			err := o.MoveTo(tt.to)
			if tt.ok {
				require.NoError(t, err)
				require.Equal(t, tt.to, o.Status)
				return
			}
			require.True(t, errors.Is(err, domain.ErrInvalidTransition), "got %v", err)
			require.Equal(t, tt.from, o.Status, "a refused move changes nothing")
		})
	}
	for _, s := range []domain.OrderStatus{domain.StatusCompleted, domain.StatusRejected, domain.StatusFailed, domain.StatusCancelled} {
		require.True(t, s.Terminal(), s)
		require.False(t, s.Cancellable(), s)
	}
	require.True(t, domain.StatusConfirmed.Cancellable())
	require.False(t, domain.StatusCompensating.Cancellable())
}

func TestOrderTotalIsTheExactSum(t *testing.T) {
	o, err := domain.NewOrder("o1", "c1", []domain.OrderLine{{ProductCode: "A", Quantity: 3}, {ProductCode: "B", Quantity: 2}})
	require.NoError(t, err)
	require.Equal(t, domain.StatusPending, o.Status)
	total, err := o.Total()
	require.NoError(t, err)
	require.Zero(t, total.Minor, "unpriced")

	require.NoError(t, o.Price(map[string]domain.Money{"A": {Minor: 1999, Currency: "USD"}, "B": {Minor: 5, Currency: "USD"}}))
	total, err = o.Total()
	require.NoError(t, err)
	require.Equal(t, "59.97", mustMoney(t, "59.97").String())
	require.Equal(t, int64(3*1999+2*5), total.Minor)
	require.Equal(t, "60.07", total.String())

	err = o.Price(map[string]domain.Money{"A": {Minor: 1, Currency: "USD"}, "B": {Minor: 1, Currency: "EUR"}})
	require.ErrorContains(t, err, "one currency")
	require.ErrorContains(t, o.Price(map[string]domain.Money{"A": {Minor: 1, Currency: "USD"}}), "no price for B")
}

func mustMoney(t *testing.T, s string) domain.Money {
	m, err := domain.ParseMoney(s, "USD")
	require.NoError(t, err)
	return m
}

func TestNewOrderValidates(t *testing.T) {
	_, err := domain.NewOrder("", "c", []domain.OrderLine{{ProductCode: "a#b", Quantity: 0}})
	var ve *domain.ValidationError
	require.True(t, errors.As(err, &ve))
	var fields []string
	for _, f := range ve.Fields {
		fields = append(fields, f.Field)
	}
	require.Equal(t, []string{"id", "items[0].productCode", "items[0].quantity"}, fields)

	_, err = domain.NewOrder("o", "c", nil)
	require.ErrorContains(t, err, "items")
}

func TestValidateOrderLines(t *testing.T) {
	many := make([]domain.OrderLine, domain.MaxOrderLines+1)
	for _, tt := range []struct {
		name  string
		lines []domain.OrderLine
		want  []domain.FieldError
	}{
		{name: "valid", lines: []domain.OrderLine{{ProductCode: "A", Quantity: 1}, {ProductCode: "B", Quantity: domain.MaxQuantity}}},
		{name: "none", want: []domain.FieldError{{Field: "items", Message: "must list at least one product"}}},
		{
			name:  "too many, refused before any line is looked at",
			lines: many,
			want:  []domain.FieldError{{Field: "items", Message: fmt.Sprintf("must list at most %d products", domain.MaxOrderLines)}},
		},
		{
			name:  "quantities out of bounds",
			lines: []domain.OrderLine{{ProductCode: "A", Quantity: 0}, {ProductCode: "B", Quantity: domain.MaxQuantity + 1}},
			want: []domain.FieldError{
				{Field: "items[0].quantity", Message: fmt.Sprintf("must be a whole number from 1 to %d", domain.MaxQuantity)},
				{Field: "items[1].quantity", Message: fmt.Sprintf("must be a whole number from 1 to %d", domain.MaxQuantity)},
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var v domain.ValidationError
			domain.ValidateOrderLines(&v, tt.lines)
			require.Equal(t, tt.want, v.Fields)
		})
	}

	var v domain.ValidationError
	domain.ValidateOrderLines(&v, []domain.OrderLine{{ProductCode: "a#b", Quantity: 1}})
	require.Len(t, v.Fields, 1)
	require.Equal(t, "items[0].productCode", v.Fields[0].Field, "product codes are checked as everywhere else")
}

// TestOrderStatusesListsEveryStatus: the list metrics count by holds each status once, and every
// status the lifecycle can reach is in it.
func TestOrderStatusesListsEveryStatus(t *testing.T) {
	all := domain.OrderStatuses()
	seen := map[domain.OrderStatus]bool{}
	for _, s := range all {
		require.True(t, s.Valid(), s)
		require.False(t, seen[s], "listed twice: %s", s)
		seen[s] = true
	}
	for _, from := range all {
		for _, to := range all {
			if from.CanMoveTo(to) {
				require.True(t, seen[to], "reachable but not listed: %s", to)
			}
		}
	}
	require.Len(t, all, 9)
}
