package domain_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
)

func TestParseIdempotencyKey(t *testing.T) {
	tests := []struct {
		header, want string
		ok           bool
	}{
		{header: "8e03978e-40d5-43e8-bc93-6894a57f9324", want: "8e03978e-40d5-43e8-bc93-6894a57f9324", ok: true},
		{header: `"8e03978e"`, want: "8e03978e", ok: true},
		{header: `"a\"b\\c"`, want: `a"b\c`, ok: true},
		{header: `"` + strings.Repeat("k", 255) + `"`, want: strings.Repeat("k", 255), ok: true},
		{header: strings.Repeat("k", 256)},
		{header: `"` + strings.Repeat("k", 256) + `"`},
		{header: ""},
		{header: `""`},
		{header: `"a"b"`},
		{header: `"a\b"`},
		{header: "a\tb"},
		{header: "ключ"},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			var v domain.ValidationError
			got := domain.ParseIdempotencyKey(&v, tt.header)
			if tt.ok {
				require.NoError(t, v.Err())
				require.Equal(t, tt.want, got)
				return
			}
			require.Error(t, v.Err())
			require.Equal(t, "Idempotency-Key", v.Fields[0].Field)
			require.Empty(t, got)
		})
	}
}

func TestOrderFingerprint(t *testing.T) {
	a1, b2 := domain.OrderLine{ProductCode: "A", Quantity: 1}, domain.OrderLine{ProductCode: "B", Quantity: 2}
	base := domain.OrderFingerprint("c1", "tok_visa", []domain.OrderLine{a1, b2})
	tests := []struct {
		name     string
		customer string
		token    string
		lines    []domain.OrderLine
		same     bool
	}{
		{name: "lines in another order", customer: "c1", token: "tok_visa", lines: []domain.OrderLine{b2, a1}, same: true},
		{name: "a product split over lines", customer: "c1", token: "tok_visa", same: true,
			lines: []domain.OrderLine{{ProductCode: "B", Quantity: 1}, a1, {ProductCode: "B", Quantity: 1}}},
		{name: "another customer", customer: "c2", token: "tok_visa", lines: []domain.OrderLine{a1, b2}},
		{name: "another token", customer: "c1", token: "tok_chargeDeclined", lines: []domain.OrderLine{a1, b2}},
		{name: "another quantity", customer: "c1", token: "tok_visa", lines: []domain.OrderLine{a1, {ProductCode: "B", Quantity: 3}}},
		{name: "a line less", customer: "c1", token: "tok_visa", lines: []domain.OrderLine{a1}},
		{name: "fields run together", customer: "c1tok_visa", token: "", lines: []domain.OrderLine{a1, b2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := domain.OrderFingerprint(tt.customer, tt.token, tt.lines)
			if tt.same {
				require.Equal(t, base, got)
			} else {
				require.NotEqual(t, base, got)
			}
		})
	}
}

func TestValidationErrorListsAtMostMaxFieldErrors(t *testing.T) {
	var v domain.ValidationError
	for range 1000 {
		v.Add("f", "is wrong")
	}
	require.Len(t, v.Fields, domain.MaxFieldErrors)
	require.Equal(t, 1000-domain.MaxFieldErrors, v.Omitted)
	require.Contains(t, v.Error(), "and 980 more")
}

func TestNewOrderRefusesTooManyLinesBeforeLookingAtThem(t *testing.T) {
	lines := make([]domain.OrderLine, 100_000) // every one invalid
	_, err := domain.NewOrder("o1", "", lines)
	var v *domain.ValidationError
	require.ErrorAs(t, err, &v)
	require.Equal(t, []domain.FieldError{{Field: "items", Message: "must list at most 100 products"}}, v.Fields)
	require.Zero(t, v.Omitted)
}

func TestOrderFieldCaps(t *testing.T) {
	tests := []struct {
		name, customer, token, field string
	}{
		{name: "customer too long", customer: strings.Repeat("c", 129), field: "customerId"},
		{name: "customer not UTF-8", customer: "c\xff", field: "customerId"},
		{name: "customer with a newline", customer: "c\n", field: "customerId"},
		{name: "token too long", token: strings.Repeat("t", 256), field: "paymentToken"},
		{name: "token with a space", token: "tok visa", field: "paymentToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v domain.ValidationError
			domain.ValidateCustomerID(&v, tt.customer)
			domain.ValidatePaymentToken(&v, tt.token)
			require.Len(t, v.Fields, 1)
			require.Equal(t, tt.field, v.Fields[0].Field)
		})
	}
	var ok domain.ValidationError
	domain.ValidateCustomerID(&ok, strings.Repeat("c", 128))
	domain.ValidatePaymentToken(&ok, strings.Repeat("t", 255))
	require.NoError(t, ok.Err())
}

func TestParseMoneyRefusesLongTextWithoutQuotingIt(t *testing.T) {
	_, err := domain.ParseMoney("1e"+strings.Repeat("9", 100_000), "USD")
	require.Error(t, err)
	require.Less(t, len(err.Error()), 100)
	_, err = domain.ParseMoney("1", strings.Repeat("X", 100_000))
	require.Error(t, err)
	require.Less(t, len(err.Error()), 100)
}
