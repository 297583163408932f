// Package searchtest is the contract of orders.Searcher, run against every implementation
// (Elasticsearch's read model, the store-backed fallback).
package searchtest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

// Fixture is one implementation under test, over an empty set of orders of its own.
type Fixture struct {
	// Add makes the records findable.
	Add    func(t *testing.T, recs []orders.Order)
	Search orders.Searcher
}

func record(id, customer string, status domain.OrderStatus, reason string, codes ...string) orders.Order {
	r := orders.Order{
		OrderID: id, CustomerID: customer, Status: status, Reason: reason, Seq: 3, Currency: "USD",
		CreatedAt: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2026, 11, 1, 10, 1, 0, 0, time.UTC),
		Steps: []orders.Step{{Name: "reserve-stock", State: "completed", Attempts: 1}},
	}
	for _, c := range codes {
		r.Lines = append(r.Lines, orders.Line{ProductCode: c, Quantity: 1, UnitPriceMinor: 500, Currency: "USD"})
		r.TotalMinor += 500
	}
	return r
}

// Orders are the suite's records. Ids sort in this order.
var Orders = []orders.Order{
	record("ord-a1", "alice", domain.StatusConfirmed, "", "LAMP-1"),
	record("ord-a2", "alice", domain.StatusRejected, "insufficient stock of DESK-9: requested 2, available 1", "DESK-9"),
	record("ord-b1", "bob", domain.StatusNeedsAttention, "capture-payment failed 10 times; last error: gateway timeout", "LAMP-1", "CHAIR-2"),
	record("ord-b2", "bob", domain.StatusFailed, "the card was declined", "CHAIR-2"),
}

// Run runs the contract against newFixture's implementation.
func Run(t *testing.T, newFixture func(t *testing.T) Fixture) {
	f := newFixture(t)
	f.Add(t, Orders)
	ctx := context.Background()
	ids := func(t *testing.T, q orders.Query) []string {
		t.Helper()
		if q.Limit == 0 {
			q.Limit = 20
		}
		recs, err := f.Search.Search(ctx, q)
		require.NoError(t, err)
		out := []string{}
		for _, r := range recs {
			out = append(out, r.OrderID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    orders.Query
		want []string
	}{
		{"everything", orders.Query{}, []string{"ord-a1", "ord-a2", "ord-b1", "ord-b2"}},
		{"by status", orders.Query{Status: domain.StatusNeedsAttention}, []string{"ord-b1"}},
		{"by customer", orders.Query{CustomerID: "alice"}, []string{"ord-a1", "ord-a2"}},
		{"by product", orders.Query{ProductCode: "LAMP-1"}, []string{"ord-a1", "ord-b1"}},
		{"by product, any case", orders.Query{ProductCode: "chair-2"}, []string{"ord-b1", "ord-b2"}},
		{"text: an order id", orders.Query{Text: "ord-b2"}, []string{"ord-b2"}},
		{"text: a customer", orders.Query{Text: "bob"}, []string{"ord-b1", "ord-b2"}},
		{"text: a product code", orders.Query{Text: "desk-9"}, []string{"ord-a2"}},
		{"text: a word of the reason", orders.Query{Text: "declined"}, []string{"ord-b2"}},
		{"text: a misspelt word of the reason", orders.Query{Text: "gatway"}, []string{"ord-b1"}},
		{"text and filters together", orders.Query{Text: "LAMP-1", CustomerID: "bob"}, []string{"ord-b1"}},
		{"every word must match", orders.Query{Text: "bob declined"}, []string{"ord-b2"}},
		{"no match", orders.Query{Text: "zebra"}, []string{}},
		{"text is not a pattern", orders.Query{Text: ".*"}, []string{}},
		{"after a cursor", orders.Query{CustomerID: "bob", After: "ord-b1"}, []string{"ord-b2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, ids(t, tc.q))
		})
	}
	t.Run("a page at a time", func(t *testing.T) {
		require.Equal(t, []string{"ord-a1"}, ids(t, orders.Query{Limit: 1}))
		require.Equal(t, []string{"ord-a2", "ord-b1"}, ids(t, orders.Query{Limit: 2, After: "ord-a1"}))
	})
	t.Run("the answer is the whole record", func(t *testing.T) {
		recs, err := f.Search.Search(ctx, orders.Query{Text: "ord-b1", Limit: 1})
		require.NoError(t, err)
		require.Len(t, recs, 1)
		require.Equal(t, Orders[2], recs[0])
	})
}
