package elasticsearch

import (
	"context"
	"fmt"
	"math/big"
	"time"

	es8 "github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
	"github.com/order-saga/shop/projector"
)

// ProductsAlias is the alias of the products read model.
const ProductsAlias = "products"

const productsIndexBody = `{
  "settings": {"number_of_shards": 1, "number_of_replicas": 0},
  "mappings": {"dynamic": "strict", "properties": {
    "productCode": {"type": "keyword", "fields": {"text": {"type": "text"}}},
    "name": {"type": "text"},
    "description": {"type": "text"},
    "price": {"type": "keyword", "index": false},
    "priceUnits": {"type": "long"},
    "currency": {"type": "keyword"},
    "lowStockThreshold": {"type": "long"},
    "onHand": {"type": "long"},
    "reserved": {"type": "long"},
    "available": {"type": "long"},
    "createdAt": {"type": "date"},
    "updatedAt": {"type": "date"},
    "productVersion": {"type": "long"},
    "stockSeq": {"type": "long"}
  }}
}`

// productDoc is a product in the index. Its two halves move on their own: the descriptive fields
// with productVersion (the product's update time in ns), the stock figures with stockSeq (the ledger
// sequence). A document with productVersion 0 has seen stock events only, and is not yet searchable.
type productDoc struct {
	ProductCode       string    `json:"productCode"`
	Name              string    `json:"name,omitempty"`
	Description       string    `json:"description,omitempty"`
	Price             string    `json:"price,omitempty"`
	PriceUnits        int64     `json:"priceUnits,omitempty"` // ten-thousandths, for range filters only
	Currency          string    `json:"currency,omitempty"`
	LowStockThreshold int64     `json:"lowStockThreshold"`
	OnHand            int64     `json:"onHand"`
	Reserved          int64     `json:"reserved"`
	Available         int64     `json:"available"`
	CreatedAt         time.Time `json:"createdAt,omitzero"`
	UpdatedAt         time.Time `json:"updatedAt,omitzero"`
	ProductVersion    int64     `json:"productVersion"`
	StockSeq          int64     `json:"stockSeq"`
}

// Products is the products read model.
type Products struct{ index }

// NewProducts returns the read model behind alias (ProductsAlias; tests use their own).
func NewProducts(c *es8.Client, alias string) *Products {
	return &Products{index{c: c, alias: alias, body: productsIndexBody}}
}

// ApplyProduct sets the descriptive half of a product unless the index has a newer one.
func (p *Products) ApplyProduct(ctx context.Context, d inventory.ProductData) error {
	return first(p.writer(p.alias).apply(ctx, []projector.Change{{Product: &d}}))
}

// ApplyStock sets the stock half of a product unless the index has a later ledger entry.
func (p *Products) ApplyStock(ctx context.Context, d inventory.MovementData) error {
	return first(p.writer(p.alias).apply(ctx, []projector.Change{{Stock: &d}}))
}

// writer writes to target, an index of this read model or its alias.
func (p *Products) writer(target string) writer { return writer{c: p.c, products: target} }

// mergeProduct sets doc's descriptive half from d unless doc's is as new; it reports a change.
func mergeProduct(doc *productDoc, d inventory.ProductData) bool {
	version := d.UpdatedAt.UnixNano()
	if version <= doc.ProductVersion {
		return false
	}
	units, _ := priceUnits(d.Price, false)
	doc.Name, doc.Description, doc.Price, doc.PriceUnits, doc.Currency = d.Name, d.Description, d.Price, units, d.Currency
	doc.LowStockThreshold, doc.CreatedAt, doc.UpdatedAt, doc.ProductVersion = d.LowStockThreshold, d.CreatedAt, d.UpdatedAt, version
	return true
}

// mergeStock sets doc's stock half from the ledger entry d unless doc has a later one; it reports a
// change.
func mergeStock(doc *productDoc, d inventory.MovementData) bool {
	if d.Seq <= doc.StockSeq {
		return false
	}
	level := domain.StockLevel{OnHand: d.OnHand, Reserved: d.Reserved}
	doc.OnHand, doc.Reserved, doc.Available, doc.StockSeq = level.OnHand, level.Reserved, level.Available(), d.Seq
	return true
}

// priceUnits is a decimal price in ten-thousandths, exactly (no currency has more decimals), rounded
// up or down when a bound has more digits: the index compares whole numbers, never floats.
func priceUnits(decimal string, roundUp bool) (int64, bool) {
	r, ok := new(big.Rat).SetString(decimal)
	if !ok {
		return 0, false
	}
	r.Mul(r, big.NewRat(10_000, 1))
	q, m := new(big.Int).DivMod(r.Num(), r.Denom(), new(big.Int))
	if roundUp && m.Sign() != 0 {
		q.Add(q, big.NewInt(1))
	}
	return q.Int64(), q.IsInt64()
}

// Search answers a catalogue search from the index; same contract as inventory.Service.Search.
func (p *Products) Search(ctx context.Context, q inventory.SearchQuery) ([]inventory.ProductView, error) {
	if inventory.NoWords(q.Text) {
		return []inventory.ProductView{}, nil
	}
	filter := []any{map[string]any{"range": map[string]any{"productVersion": map[string]any{"gt": 0}}}}
	if q.MinPrice != "" || q.MaxPrice != "" {
		r := map[string]any{}
		if units, ok := priceUnits(q.MinPrice, true); q.MinPrice != "" && ok {
			r["gte"] = units
		}
		if units, ok := priceUnits(q.MaxPrice, false); q.MaxPrice != "" && ok {
			r["lte"] = units
		}
		filter = append(filter, map[string]any{"range": map[string]any{"priceUnits": r}})
	}
	if q.InStock {
		filter = append(filter, map[string]any{"range": map[string]any{"available": map[string]any{"gt": 0}}})
	}
	body := map[string]any{
		"size":  q.Limit,
		"sort":  []any{map[string]any{"productCode": "asc"}},
		"query": map[string]any{"bool": map[string]any{"filter": filter, "must": textClauses(splitWords(q.Text), []string{"name", "description", "productCode.text"}, "productCode")}},
	}
	if q.After != "" {
		body["search_after"] = []any{q.After}
	}
	var res searchHits[productDoc]
	if _, err := do(ctx, p.c, esapi.SearchRequest{Index: []string{p.alias}, Body: jsonBody(body)}, &res); err != nil {
		return nil, fmt.Errorf("search products: %w", err)
	}
	views := make([]inventory.ProductView, 0, len(res.Hits.Hits))
	for _, h := range res.Hits.Hits {
		d := h.Source
		price, err := domain.ParseMoney(d.Price, d.Currency)
		if err != nil {
			return nil, fmt.Errorf("search products: price of %s: %w", d.ProductCode, err)
		}
		views = append(views, inventory.ProductView{
			Product: domain.Product{
				Code: d.ProductCode, Name: d.Name, Description: d.Description, Price: price,
				LowStockThreshold: d.LowStockThreshold, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
			},
			Stock: domain.StockLevel{OnHand: d.OnHand, Reserved: d.Reserved},
		})
	}
	return views, nil
}
