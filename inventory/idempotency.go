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
