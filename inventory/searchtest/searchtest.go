// Package searchtest is the contract of inventory.Searcher: one suite that every implementation
// (Elasticsearch's read model, the store-backed fallback) must pass, so that a client gets the same
// answers whichever one serves it.
package searchtest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
)

// Product is a product of the suite's catalogue, with its stock.
type Product struct {
	Code, Name, Description, Price string // price in USD
	OnHand                         int64
}

// Catalogue is what the suite searches. Codes sort in this order.
var Catalogue = []Product{
	{"SRCH-CABLE-1", "USB-C Cable", "Braided charging cable, two metres", "9.50", 100},
	{"SRCH-KEYB-1", "Wireless Keyboard", "Compact mechanical keyboard", "49.90", 5},
	{"SRCH-KEYB-2", "Gaming Keyboard", "Backlit keys, programmable macros", "129.00", 0},
	{"SRCH-MOUSE-1", "Optical Mouse", "Ergonomic wireless mouse", "19.99", 10},
}

// Fixture is one implementation under test, over an empty catalogue of its own.
type Fixture struct {
	// Add makes the products findable (stored, projected, refreshed: whatever the implementation needs).
	Add    func(t *testing.T, products []Product)
	Search inventory.Searcher
}

// Run runs the contract against newFixture's implementation.
func Run(t *testing.T, newFixture func(t *testing.T) Fixture) {
	f := newFixture(t)
	f.Add(t, Catalogue)
	ctx := context.Background()

	codes := func(t *testing.T, q inventory.SearchQuery) []string {
		t.Helper()
		if q.Limit == 0 {
			q.Limit = 20
		}
		views, err := f.Search.Search(ctx, q)
		require.NoError(t, err)
		out := []string{}
		for _, v := range views {
			out = append(out, v.Code)
		}
		return out
	}

	for _, tc := range []struct {
		name string
		q    inventory.SearchQuery
		want []string
	}{
		{"a word in the name", inventory.SearchQuery{Text: "keyboard"}, []string{"SRCH-KEYB-1", "SRCH-KEYB-2"}},
		{"a misspelt word", inventory.SearchQuery{Text: "keybaord"}, []string{"SRCH-KEYB-1", "SRCH-KEYB-2"}},
		{"a letter missing", inventory.SearchQuery{Text: "wirless"}, []string{"SRCH-KEYB-1", "SRCH-MOUSE-1"}},
		{"name and description", inventory.SearchQuery{Text: "wireless"}, []string{"SRCH-KEYB-1", "SRCH-MOUSE-1"}},
		{"every word must match", inventory.SearchQuery{Text: "wireless mouse"}, []string{"SRCH-MOUSE-1"}},
		{"any case", inventory.SearchQuery{Text: "OPTICAL"}, []string{"SRCH-MOUSE-1"}},
		{"a prefix", inventory.SearchQuery{Text: "ergo"}, []string{"SRCH-MOUSE-1"}},
		{"the code", inventory.SearchQuery{Text: "srch-keyb-2"}, []string{"SRCH-KEYB-2"}},
		{"part of the code", inventory.SearchQuery{Text: "MOUSE-1"}, []string{"SRCH-MOUSE-1"}},
		{"no match", inventory.SearchQuery{Text: "zebra"}, []string{}},
		{"text is not a pattern", inventory.SearchQuery{Text: ".*"}, []string{}},
		{"in stock only", inventory.SearchQuery{Text: "keyboard", InStock: true}, []string{"SRCH-KEYB-1"}},
		{"from a price", inventory.SearchQuery{MinPrice: "19.99"}, []string{"SRCH-KEYB-1", "SRCH-KEYB-2", "SRCH-MOUSE-1"}},
		{"up to a price", inventory.SearchQuery{MaxPrice: "19.99"}, []string{"SRCH-CABLE-1", "SRCH-MOUSE-1"}},
		{"a price range and text", inventory.SearchQuery{Text: "keyboard", MinPrice: "20", MaxPrice: "100"}, []string{"SRCH-KEYB-1"}},
		{"filters alone", inventory.SearchQuery{InStock: true, MaxPrice: "10"}, []string{"SRCH-CABLE-1"}},
		{"after a cursor", inventory.SearchQuery{Text: "keyboard", After: "SRCH-KEYB-1"}, []string{"SRCH-KEYB-2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, codes(t, tc.q))
		})
	}

	t.Run("paging visits every match once", func(t *testing.T) {
		var seen []string
		after := ""
		for range 10 {
			page := codes(t, inventory.SearchQuery{MinPrice: "0", Limit: 1, After: after})
			if len(page) == 0 {
				break
			}
			require.Len(t, page, 1)
			seen = append(seen, page[0])
			after = page[0]
		}
		require.Equal(t, []string{"SRCH-CABLE-1", "SRCH-KEYB-1", "SRCH-KEYB-2", "SRCH-MOUSE-1"}, seen)
	})

	t.Run("the answer carries price and stock", func(t *testing.T) {
		views, err := f.Search.Search(ctx, inventory.SearchQuery{Text: "optical", Limit: 5})
		require.NoError(t, err)
		require.Len(t, views, 1)
		v := views[0]
		require.Equal(t, "Optical Mouse", v.Name)
		require.Equal(t, "Ergonomic wireless mouse", v.Description)
		require.Equal(t, domain.Money{Minor: 1999, Currency: "USD"}, v.Price)
		require.Equal(t, int64(10), v.Stock.OnHand)
		require.Equal(t, int64(10), v.Stock.Available())
		require.False(t, v.CreatedAt.IsZero())
	})
}
