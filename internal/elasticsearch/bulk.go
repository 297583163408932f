package elasticsearch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	es8 "github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/order-saga/shop/projector"
)

// ReadModel is the projector's read model on both indices (projector.ReadModel). A batch of changes
// costs one bulk request, and one multi-get before it when products are among them, instead of a
// request per change (a product's two: a read and a conditional write): Elasticsearch spends most of
// its CPU per request, not per document.
type ReadModel struct {
	Products *Products
	Orders   *Orders
}

// Apply writes the changes; see projector.ReadModel.
func (m ReadModel) Apply(ctx context.Context, changes []projector.Change) []error {
	return writer{c: m.Products.c, products: m.Products.alias, orders: m.Orders.alias}.apply(ctx, changes)
}

// maxConflictRounds bounds the rounds of a product document that another writer keeps changing
// between our read and our write (a second projector, a rebuild's second pass).
const maxConflictRounds = 20

// writer writes changes to the products and orders indices (or aliases) it names.
type writer struct {
	c                *es8.Client
	products, orders string
}

// bulkOp is one document write of a bulk request and the changes whose fate it decides.
type bulkOp struct {
	action  string // index or create
	meta    map[string]any
	doc     any
	owners  []int        // indices of the changes
	product productGroup // set for a product's write: what to merge again on a conflict
}

// productGroup is a product's changes in a batch, merged into one write.
type productGroup struct {
	code   string
	owners []int
}

// apply writes changes in rounds of one bulk request: orders once (their Seq is the document's
// external version, so Elasticsearch itself refuses to go backwards); products read, merged and
// written back only if nobody wrote in between (if_seq_no), again for those somebody did. This is how
// two independently versioned halves of a product share one document without scripts.
func (w writer) apply(ctx context.Context, changes []projector.Change) []error {
	errs := make([]error, len(changes))
	fail := func(owners []int, err error) {
		for _, i := range owners {
			errs[i] = err
		}
	}
	ops := w.orderOps(changes)
	groups := productGroups(changes)
	for round := 0; len(ops) > 0 || len(groups) > 0; round++ {
		if len(groups) > 0 {
			merged, err := w.productOps(ctx, groups, changes)
			if err != nil {
				for _, g := range groups {
					fail(g.owners, err)
				}
			}
			ops = append(ops, merged...)
		}
		if len(ops) == 0 {
			break
		}
		results, err := w.bulk(ctx, ops)
		if err != nil && Permanent(err) && len(ops) > 1 {
			// Elasticsearch refused the request as a whole for one bad write (an _id too long, say):
			// each on its own, so that only that one fails.
			results, err = w.eachAlone(ctx, ops), nil
		}
		if err != nil {
			for _, op := range ops {
				fail(op.owners, err)
			}
			break
		}
		groups = nil
		for k, op := range ops {
			res := results[k]
			switch {
			case res.err != nil:
				fail(op.owners, res.err)
			case res.Status < 300:
			case res.Status == http.StatusConflict && op.product.code == "":
				// the index already has this transition of the order or a later one
			case res.Status == http.StatusConflict && round+1 < maxConflictRounds:
				groups = append(groups, op.product) // somebody wrote in between: read again, merge onto theirs
			default:
				fail(op.owners, fmt.Errorf("write %s %v: %w", op.action, op.meta["_id"], &StatusError{Status: res.Status, Body: string(res.Error)}))
			}
		}
		ops = nil
	}
	return errs
}

// orderOps are the orders' writes: one per order, its highest Seq in the batch, which decides the
// fate of the order's lower ones too (the index would refuse them after it).
func (w writer) orderOps(changes []projector.Change) []bulkOp {
	var ops []bulkOp
	at := map[string]int{}
	for i, c := range changes {
		if c.Order == nil {
			continue
		}
		r := c.Order
		k, seen := at[r.OrderID]
		if !seen {
			at[r.OrderID] = len(ops)
			ops = append(ops, bulkOp{owners: []int{i}})
			k = len(ops) - 1
		} else {
			ops[k].owners = append(ops[k].owners, i)
			if r.Seq <= ops[k].meta["version"].(int64) {
				continue
			}
		}
		ops[k].action, ops[k].doc = "index", toOrderDoc(*r)
		ops[k].meta = map[string]any{"_index": w.orders, "_id": r.OrderID, "version": r.Seq, "version_type": "external"}
	}
	return ops
}

// productGroups gathers the product changes by product code, in the order of first appearance.
func productGroups(changes []projector.Change) []productGroup {
	var groups []productGroup
	at := map[string]int{}
	for i, c := range changes {
		var code string
		switch {
		case c.Product != nil:
			code = c.Product.ProductCode
		case c.Stock != nil:
			code = c.Stock.ProductCode
		default:
			continue
		}
		k, seen := at[code]
		if !seen {
			at[code] = len(groups)
			groups = append(groups, productGroup{code: code})
			k = len(groups) - 1
		}
		groups[k].owners = append(groups[k].owners, i)
	}
	return groups
}

// productOps reads the groups' documents in one multi-get and merges each group's changes onto its
// document: a write for each document they change, conditional on nobody having written it since.
func (w writer) productOps(ctx context.Context, groups []productGroup, changes []projector.Change) ([]bulkOp, error) {
	ids := make([]string, len(groups))
	for k, g := range groups {
		ids[k] = g.code
	}
	var got struct {
		Docs []struct {
			Found       bool       `json:"found"`
			SeqNo       int64      `json:"_seq_no"`
			PrimaryTerm int64      `json:"_primary_term"`
			Source      productDoc `json:"_source"`
			Error       any        `json:"error"`
		} `json:"docs"`
	}
	if _, err := do(ctx, w.c, esapi.MgetRequest{Index: w.products, Body: jsonBody(map[string]any{"ids": ids})}, &got); err != nil {
		return nil, fmt.Errorf("read products: %w", err)
	}
	if len(got.Docs) != len(groups) {
		return nil, fmt.Errorf("read products: %d documents for %d ids", len(got.Docs), len(groups))
	}
	var ops []bulkOp
	for k, g := range groups {
		d := got.Docs[k]
		if d.Error != nil {
			return nil, fmt.Errorf("read product %s: %v", g.code, d.Error)
		}
		doc := d.Source
		doc.ProductCode = g.code
		changed := false
		for _, i := range g.owners {
			if c := changes[i]; c.Product != nil {
				changed = mergeProduct(&doc, *c.Product) || changed
			} else {
				changed = mergeStock(&doc, *c.Stock) || changed
			}
		}
		if !changed {
			continue // already as new
		}
		op := bulkOp{action: "create", doc: doc, owners: g.owners, product: g,
			meta: map[string]any{"_index": w.products, "_id": g.code}}
		if d.Found {
			op.action, op.meta["if_seq_no"], op.meta["if_primary_term"] = "index", d.SeqNo, d.PrimaryTerm
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// bulkResult is one write's outcome in a bulk answer.
type bulkResult struct {
	Status int             `json:"status"`
	Error  json.RawMessage `json:"error"`
	err    error           // the request's own failure, when the write was sent alone (eachAlone)
}

// eachAlone sends each op as a bulk request of its own.
func (w writer) eachAlone(ctx context.Context, ops []bulkOp) []bulkResult {
	out := make([]bulkResult, len(ops))
	for k, op := range ops {
		res, err := w.bulk(ctx, []bulkOp{op})
		if err != nil {
			out[k].err = fmt.Errorf("write %s %v: %w", op.action, op.meta["_id"], err)
			continue
		}
		out[k] = res[0]
	}
	return out
}

// bulk sends ops as one bulk request and answers each one's outcome, in order.
func (w writer) bulk(ctx context.Context, ops []bulkOp) ([]bulkResult, error) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	for _, op := range ops {
		if err := enc.Encode(map[string]any{op.action: op.meta}); err != nil {
			return nil, fmt.Errorf("encode bulk action: %w", err)
		}
		if err := enc.Encode(op.doc); err != nil {
			return nil, fmt.Errorf("encode bulk document: %w", err)
		}
	}
	var got struct {
		Items []map[string]bulkResult `json:"items"`
	}
	if _, err := do(ctx, w.c, esapi.BulkRequest{Body: &body}, &got); err != nil {
		return nil, fmt.Errorf("bulk write of %d documents: %w", len(ops), err)
	}
	if len(got.Items) != len(ops) {
		return nil, fmt.Errorf("bulk write: %d outcomes for %d documents", len(got.Items), len(ops))
	}
	out := make([]bulkResult, len(ops))
	for k, item := range got.Items {
		res, ok := item[ops[k].action]
		if !ok {
			return nil, fmt.Errorf("bulk write: outcome %d is not of a %s", k, ops[k].action)
		}
		out[k] = res
	}
	return out, nil
}

// first is the first error of errs, for the single-change methods.
func first(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
