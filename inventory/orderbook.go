package inventory

import "github.com/order-saga/shop/domain"

// productEntries are one order's ledger entries for one product: what it reserved, how that was
// settled (committed or released), and the restock of committed goods.
type productEntries struct {
	reservation *domain.Movement
	commit      *domain.Movement
	release     *domain.Movement
	restock     *domain.Movement
}

// settlement is the entry that settled the reservation, if any. A commit wins: entries stored before
// commit and release shared one idempotency slot could hold both, and then the goods did leave.
func (p productEntries) settlement() *domain.Movement {
	if p.commit != nil {
		return p.commit
	}
	return p.release
}

func (p productEntries) settled() bool { return p.settlement() != nil }

// orderBook sorts an order's ledger entries by product.
func orderBook(entries []domain.Movement) map[string]productEntries {
	book := map[string]productEntries{}
	for _, e := range entries {
		p := book[e.ProductCode]
		switch e.Kind {
		case domain.Reservation:
			p.reservation = &e
		case domain.Commit:
			p.commit = &e
		case domain.Release:
			p.release = &e
		case domain.Receipt:
			p.restock = &e
		}
		book[e.ProductCode] = p
	}
	return book
}
