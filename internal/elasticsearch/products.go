package elasticsearch

import (
	"context"
	"fmt"
	"math/big"
	"net/http"
	"time"

	es8 "github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
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
	return p.applyProduct(ctx, p.alias, d)
}

func (p *Products) applyProduct(ctx context.Context, target string, d inventory.ProductData) error {
	return p.merge(ctx, target, d.ProductCode, func(doc *productDoc) bool {
		version := d.UpdatedAt.UnixNano()
		if version <= doc.ProductVersion {
			return false
		}
		units, _ := priceUnits(d.Price, false)
		doc.Name, doc.Description, doc.Price, doc.PriceUnits, doc.Currency = d.Name, d.Description, d.Price, units, d.Currency
		doc.LowStockThreshold, doc.CreatedAt, doc.UpdatedAt, doc.ProductVersion = d.LowStockThreshold, d.CreatedAt, d.UpdatedAt, version
		return true
	})
}

// ApplyStock sets the stock half of a product unless the index has a later ledger entry.
func (p *Products) ApplyStock(ctx context.Context, d inventory.MovementData) error {
	return p.applyStock(ctx, p.alias, d.ProductCode, d.Seq, domain.StockLevel{OnHand: d.OnHand, Reserved: d.Reserved})
}

func (p *Products) applyStock(ctx context.Context, target, code string, seq int64, level domain.StockLevel) error {
	return p.merge(ctx, target, code, func(doc *productDoc) bool {
		if seq <= doc.StockSeq {
			return false
		}
		doc.OnHand, doc.Reserved, doc.Available, doc.StockSeq = level.OnHand, level.Reserved, level.Available(), seq
		return true
	})
}

// merge reads the product's document, lets change update it, and writes it back only if nobody wrote
// in between (if_seq_no), retrying otherwise. This is how two independently versioned halves share
// one document without scripts. change returns false when the document is already as new.
func (p *Products) merge(ctx context.Context, target, code string, change func(*productDoc) bool) error {
	for attempt := 0; ; attempt++ {
		var got struct {
			SeqNo       *int       `json:"_seq_no"`
			PrimaryTerm *int       `json:"_primary_term"`
			Source      productDoc `json:"_source"`
		}
		_, err := do(ctx, p.c, esapi.GetRequest{Index: target, DocumentID: code}, &got)
		found := err == nil
		if err != nil && !isStatus(err, http.StatusNotFound) {
			return fmt.Errorf("read product %s: %w", code, err)
		}
		doc := got.Source
		doc.ProductCode = code
		if !change(&doc) {
			return nil
		}
		req := esapi.IndexRequest{Index: target, DocumentID: code, Body: jsonBody(doc)}
		if found {
			req.IfSeqNo, req.IfPrimaryTerm = got.SeqNo, got.PrimaryTerm
		} else {
			req.OpType = "create"
		}
		_, err = do(ctx, p.c, req, nil)
		if err == nil {
			return nil
		}
		if !isStatus(err, http.StatusConflict) || attempt >= 20 {
			return fmt.Errorf("write product %s: %w", code, err)
		}
		// Someone wrote in between: read again and merge onto theirs.
	}
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
