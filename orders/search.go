// Package orders is the order service's use cases: placing an order (with Idempotency-Keys), reading,
// listing and searching orders, cancelling, fulfilling, operators' decisions on parked orders, and
// recording the saga's transitions. They run over small ports (ports.go) that the Temporal, MongoDB,
// Elasticsearch and RabbitMQ adapters implement; the HTTP handlers and the RecordOrder activity both
// call them, so a rule lives in one place whichever door a request comes through.
package orders

import (
	"context"
	"fmt"
	"strings"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
)

// MaxPageSize bounds one page.
const MaxPageSize = 100

// Query selects orders. Results are ordered by order id; a page's cursor is the last id.
type Query struct {
	// Text: every word must be the order id, the customer id, a product code of the order (any case),
	// or match a word of its reason within "AUTO" edit distance (see inventory.MatchesText).
	Text        string
	Status      domain.OrderStatus
	CustomerID  string
	ProductCode string
	After       string
	Limit       int
}

// Searcher answers order searches.
type Searcher interface {
	Search(ctx context.Context, q Query) ([]Order, error)
}

// Lister is the order store's listing: it applies Status, CustomerID, After and Limit itself.
type Lister interface {
	List(ctx context.Context, q Query) ([]Order, error)
}

// StoreSearch answers searches from the order store: the fallback when there is no search index. The
// store filters by status and customer; text and product are matched here, page by page.
type StoreSearch struct{ Store Lister }

// Search implements Searcher.
func (s StoreSearch) Search(ctx context.Context, q Query) ([]Order, error) {
	if q.Limit <= 0 || q.Limit > MaxPageSize {
		return nil, fmt.Errorf("search orders: limit %d out of 1..%d", q.Limit, MaxPageSize)
	}
	if q.Text == "" && q.ProductCode == "" {
		return s.Store.List(ctx, q)
	}
	var out []Order
	page := Query{Status: q.Status, CustomerID: q.CustomerID, After: q.After, Limit: MaxPageSize}
	for len(out) < q.Limit {
		recs, err := s.Store.List(ctx, page)
		if err != nil {
			return nil, fmt.Errorf("search orders: %w", err)
		}
		for _, r := range recs {
			if Matches(q, r) {
				out = append(out, r)
				if len(out) == q.Limit {
					break
				}
			}
		}
		if len(recs) < MaxPageSize {
			break
		}
		page.After = recs[len(recs)-1].OrderID
	}
	return out, nil
}

// Matches reports whether r satisfies q's product and text conditions.
func Matches(q Query, r Order) bool {
	if q.ProductCode != "" && !hasProduct(r, q.ProductCode) {
		return false
	}
	for _, w := range strings.Fields(q.Text) { // ids hold dashes: words are what spaces separate
		if !strings.EqualFold(w, r.OrderID) && !strings.EqualFold(w, r.CustomerID) && !hasProduct(r, w) &&
			!inventory.MatchesText(w, "", r.Reason) {
			return false
		}
	}
	return true
}

func hasProduct(r Order, code string) bool {
	for _, l := range r.Lines {
		if strings.EqualFold(l.ProductCode, code) {
			return true
		}
	}
	return false
}
