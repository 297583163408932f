package domain_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in, cur   string
		wantMinor int64
		wantStr   string
		wantErr   string
	}{
		{in: "12.5", cur: "USD", wantMinor: 1250, wantStr: "12.50"},
		{in: "0.01", cur: "USD", wantMinor: 1, wantStr: "0.01"},
		{in: "1999.99", cur: "EUR", wantMinor: 199999, wantStr: "1999.99"},
		{in: "7", cur: "USD", wantMinor: 700, wantStr: "7.00"},
		{in: "1.10", cur: "USD", wantMinor: 110, wantStr: "1.10"},
		{in: "1.230", cur: "USD", wantMinor: 123, wantStr: "1.23"},
		{in: "500", cur: "JPY", wantMinor: 500, wantStr: "500"},
		{in: "1.234", cur: "KWD", wantMinor: 1234, wantStr: "1.234"},
		{in: "-3.5", cur: "USD", wantMinor: -350, wantStr: "-3.50"},
		{in: "1.005", cur: "USD", wantErr: "2 decimals"},
		{in: "1.5", cur: "JPY", wantErr: "0 decimals"},
		{in: "1e3", cur: "USD", wantErr: "plain decimal"},
		{in: "1.", cur: "USD", wantErr: "plain decimal"},
		{in: ".5", cur: "USD", wantErr: "plain decimal"},
		{in: "+1", cur: "USD", wantErr: "plain decimal"},
		{in: "1", cur: "XXX", wantErr: "unsupported currency"},
		{in: "99999999999999999999", cur: "USD", wantErr: "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.in+" "+tt.cur, func(t *testing.T) {
			m, err := domain.ParseMoney(tt.in, tt.cur)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantMinor, m.Minor)
			require.Equal(t, tt.wantStr, m.String())
		})
	}
}

func TestMoneyArithmetic(t *testing.T) {
	price, err := domain.ParseMoney("19.99", "USD")
	require.NoError(t, err)

	line, err := price.Times(3)
	require.NoError(t, err)
	require.Equal(t, "59.97", line.String())

	total, err := line.Plus(price)
	require.NoError(t, err)
	require.Equal(t, "79.96", total.String())

	_, err = price.Plus(domain.Money{Minor: 1, Currency: "EUR"})
	require.ErrorContains(t, err, "cannot add EUR to USD")

	_, err = domain.Money{Minor: 1 << 62, Currency: "USD"}.Times(4)
	require.ErrorContains(t, err, "overflows")
}
