package elasticsearch

import (
	"context"
	"fmt"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/projector"
)

// Catalog and Ledger are what rebuilding the products index reads from the inventory's store.
type Catalog interface {
	List(ctx context.Context, q inventory.ListQuery) ([]domain.Product, error)
}

// Ledger gives a product's newest ledger entry.
type Ledger interface {
	Head(ctx context.Context, code string) (domain.Movement, error)
}

// Rebuilds run without downtime: a new index is filled from the store while searches and the
// projector keep using the old one through the alias; the alias then moves to the new index in one
// atomic step, and a second pass over the store writes what changed meanwhile (the versions make
// that pass a no-op for documents already as new). The old index is deleted.

// Rebuild fills a new products index from the store and swaps the alias to it. It returns the count.
func (p *Products) Rebuild(ctx context.Context, cat Catalog, led Ledger) (int, error) {
	return p.rebuild(ctx, func(ctx context.Context, target string) (int, error) { return p.load(ctx, target, cat, led) })
}

func (p *Products) load(ctx context.Context, target string, cat Catalog, led Ledger) (int, error) {
	n, after := 0, ""
	for {
		page, err := cat.List(ctx, inventory.ListQuery{After: after, Limit: inventory.MaxPageSize})
		if err != nil {
			return n, fmt.Errorf("list products: %w", err)
		}
		changes := make([]projector.Change, 0, 2*len(page))
		for _, pr := range page {
			d := inventory.NewProductData(pr)
			changes = append(changes, projector.Change{Product: &d})
			head, err := led.Head(ctx, pr.Code)
			if err != nil {
				return n, fmt.Errorf("stock of %s: %w", pr.Code, err)
			}
			if head.Seq > 0 {
				changes = append(changes, projector.Change{Stock: &inventory.MovementData{
					ProductCode: pr.Code, Seq: head.Seq, OnHand: head.Level.OnHand, Reserved: head.Level.Reserved}})
			}
		}
		if err := first(p.writer(target).apply(ctx, changes)); err != nil {
			return n, err
		}
		n += len(page)
		if len(page) < inventory.MaxPageSize {
			return n, nil
		}
		after = page[len(page)-1].Code
	}
}

// Rebuild fills a new orders index from the order store and swaps the alias to it.
func (o *Orders) Rebuild(ctx context.Context, store orders.Lister) (int, error) {
	return o.rebuild(ctx, func(ctx context.Context, target string) (int, error) { return o.load(ctx, target, store) })
}

func (o *Orders) load(ctx context.Context, target string, store orders.Lister) (int, error) {
	n, after := 0, ""
	for {
		page, err := store.List(ctx, orders.Query{After: after, Limit: orders.MaxPageSize})
		if err != nil {
			return n, fmt.Errorf("list orders: %w", err)
		}
		changes := make([]projector.Change, len(page))
		for i := range page {
			changes[i] = projector.Change{Order: &page[i]}
		}
		if err := first(o.writer(target).apply(ctx, changes)); err != nil {
			return n, err
		}
		n += len(page)
		if len(page) < orders.MaxPageSize {
			return n, nil
		}
		after = page[len(page)-1].OrderID
	}
}
