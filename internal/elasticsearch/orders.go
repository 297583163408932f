package elasticsearch

import (
	"context"
	"fmt"
	"strings"
	"time"

	es8 "github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/projector"
)

// OrdersAlias is the alias of the orders read model.
const OrdersAlias = "orders"

const ordersIndexBody = `{
  "settings": {"number_of_shards": 1, "number_of_replicas": 0},
  "mappings": {"dynamic": "strict", "properties": {
    "orderId": {"type": "keyword"},
    "customerId": {"type": "keyword"},
    "status": {"type": "keyword"},
    "productCodes": {"type": "keyword"},
    "reason": {"type": "text"},
    "seq": {"type": "long"},
    "createdAt": {"type": "date"},
    "updatedAt": {"type": "date"},
    "record": {"type": "object", "enabled": false}
  }}
}`

// orderDoc is an order in the index: searchable fields, and the whole record to answer with.
type orderDoc struct {
	OrderID      string      `json:"orderId"`
	CustomerID   string      `json:"customerId"`
	Status       string      `json:"status"`
	ProductCodes []string    `json:"productCodes"`
	Reason       string      `json:"reason"`
	Seq          int64       `json:"seq"`
	CreatedAt    time.Time   `json:"createdAt"`
	UpdatedAt    time.Time   `json:"updatedAt"`
	Record       orderRecord `json:"record"`
}

func toOrderDoc(r orders.Order) orderDoc {
	codes := make([]string, len(r.Lines))
	for i, l := range r.Lines {
		codes[i] = l.ProductCode
	}
	return orderDoc{
		OrderID: r.OrderID, CustomerID: r.CustomerID, Status: string(r.Status), ProductCodes: codes,
		Reason: r.Reason, Seq: r.Seq, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Record: toOrderRecord(r),
	}
}

// Orders is the orders read model.
type Orders struct{ index }

// NewOrders returns the read model behind alias (OrdersAlias; tests use their own).
func NewOrders(c *es8.Client, alias string) *Orders {
	return &Orders{index{c: c, alias: alias, body: ordersIndexBody}}
}

// ApplyOrder stores a transition of an order unless the index holds the same or a later one: the saga
// step's Seq is the document's external version, so Elasticsearch itself refuses to go backwards.
func (o *Orders) ApplyOrder(ctx context.Context, r orders.Order) error {
	return first(o.writer(o.alias).apply(ctx, []projector.Change{{Order: &r}}))
}

// writer writes to target, an index of this read model or its alias.
func (o *Orders) writer(target string) writer { return writer{c: o.c, orders: target} }

// Search answers an operator's order search; same contract as orders.StoreSearch.
func (o *Orders) Search(ctx context.Context, q orders.Query) ([]orders.Order, error) {
	var filter, must []any
	term := func(field, value string) any {
		return map[string]any{"term": map[string]any{field: map[string]any{"value": value, "case_insensitive": true}}}
	}
	if q.Status != "" {
		filter = append(filter, map[string]any{"term": map[string]any{"status": string(q.Status)}})
	}
	if q.CustomerID != "" {
		filter = append(filter, map[string]any{"term": map[string]any{"customerId": q.CustomerID}})
	}
	if q.ProductCode != "" {
		filter = append(filter, term("productCodes", q.ProductCode))
	}
	for _, w := range strings.Fields(q.Text) {
		should := []any{term("orderId", w), term("customerId", w), term("productCodes", w)}
		if words := splitWords(w); len(words) > 0 { // ".*" has no word: it can only be an id
			should = append(should, map[string]any{"bool": map[string]any{"must": textClauses(words, []string{"reason"}, "")}})
		}
		must = append(must, map[string]any{"bool": map[string]any{"should": should, "minimum_should_match": 1}})
	}
	body := map[string]any{
		"size":  q.Limit,
		"sort":  []any{map[string]any{"orderId": "asc"}},
		"query": map[string]any{"bool": map[string]any{"filter": filter, "must": must}},
	}
	if q.After != "" {
		body["search_after"] = []any{q.After}
	}
	var res searchHits[orderDoc]
	if _, err := do(ctx, o.c, esapi.SearchRequest{Index: []string{o.alias}, Body: jsonBody(body)}, &res); err != nil {
		return nil, fmt.Errorf("search orders: %w", err)
	}
	out := make([]orders.Order, 0, len(res.Hits.Hits))
	for _, h := range res.Hits.Hits {
		out = append(out, h.Source.Record.order())
	}
	return out, nil
}
