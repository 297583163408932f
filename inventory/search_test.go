package inventory_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/inventory"
)

func TestMatchesText(t *testing.T) {
	fields := []string{"INV-000000042", "Wireless Keyboard", "Compact mechanical keyboard, USB-C"}
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"", true},
		{"keyboard", true},
		{"KEYBOARD wireless", true},
		{"keybaord", true},        // a swap of neighbours
		{"wirelss", true},         // one letter missing
		{"mechanicel", true},      // one substitution in a long word
		{"key", true},             // prefix
		{"inv-000000042", true},   // the code
		{"00000004", true},        // part of the code
		{"mouse", false},          // no such word
		{"keyboard mouse", false}, // every word must match
		{"ab", false},             // short words must match exactly (or as a prefix)
		{"usb-c", true},
	} {
		t.Run(tc.text, func(t *testing.T) {
			require.Equal(t, tc.want, inventory.MatchesText(tc.text, fields...))
		})
	}
}

func TestPriceWithin(t *testing.T) {
	for _, tc := range []struct {
		price, lo, hi string
		want          bool
	}{
		{"10.00", "", "", true},
		{"10.00", "10", "", true},
		{"10.00", "10.01", "", false},
		{"10.00", "", "9.99", false},
		{"10.00", "", "10.0", true},
		{"0.10", "0.1", "0.1", true},
	} {
		require.Equal(t, tc.want, inventory.PriceWithin(tc.price, tc.lo, tc.hi), "%s in [%s, %s]", tc.price, tc.lo, tc.hi)
	}
}
