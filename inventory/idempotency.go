package inventory

import "github.com/order-saga/shop/domain"

// SettlementSlot is the idempotency slot that an order's commit and release of one product share
// (see Ledger): the reservation is settled once, either way. It is named after the commit because
// commits have always been stored under that key, so the entries written before release shared it
// still hold their slot.
const SettlementSlot = "commit"

// IdempotencySlot is the last part of an order movement's idempotency key (product, order, slot).
func IdempotencySlot(kind domain.MovementKind) string {
	if kind == domain.Commit || kind == domain.Release {
		return SettlementSlot
	}
	return string(kind)
}

// RefusalStands reports whether a stock rule's refusal of an order movement, judged against the
// product's newest entry head, stands without looking for an earlier entry under the movement's
// key: a reservation refused while the product has no reserved units at all. Had this order
// reserved the product before, its units would count in Reserved until the order's settlement, and
// a settled order has a record, which Reserve reads before it appends (see Ledger). Looking up the
// key costs FerretDB a scan of the ledger, and refusals are what a sold-out product answers.
func RefusalStands(kind domain.MovementKind, head domain.Movement) bool {
	return kind == domain.Reservation && head.Level.Reserved == 0
}
