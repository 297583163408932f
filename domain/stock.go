package domain

import (
	"fmt"
	"time"
)

// MovementKind is what happened to a product's stock.
type MovementKind string

// The ledger's movement kinds. A reservation holds stock for an order; release gives it back; commit
// turns it into goods that left (on-hand and reserved both fall); receipt adds stock (also the
// restock of a cancelled, committed order); adjustment sets on-hand to a counted figure.
const (
	Receipt     MovementKind = "receipt"
	Adjustment  MovementKind = "adjustment"
	Reservation MovementKind = "reservation"
	Release     MovementKind = "release"
	Commit      MovementKind = "commit"
)

// Valid reports whether k is one of the known kinds.
func (k MovementKind) Valid() bool {
	switch k {
	case Receipt, Adjustment, Reservation, Release, Commit:
		return true
	}
	return false
}

// StockLevel is a product's stock after some movement. Invariant: OnHand ≥ Reserved ≥ 0.
type StockLevel struct {
	OnHand   int64
	Reserved int64
}

// Available is what can still be reserved.
func (s StockLevel) Available() int64 { return s.OnHand - s.Reserved }

// Check reports a broken invariant, for tests and for reading stored data defensively.
func (s StockLevel) Check() error {
	if s.Reserved < 0 || s.OnHand < s.Reserved {
		return fmt.Errorf("stock invariant broken: onHand %d, reserved %d", s.OnHand, s.Reserved)
	}
	return nil
}

// Apply returns the level after a movement of quantity, or an error if the movement is not allowed.
// For Adjustment, quantity is the signed change of on-hand; for every other kind it is positive
// (an adjustment of 0 and receipts of 0 are refused too: they would say nothing).
func (s StockLevel) Apply(code string, kind MovementKind, quantity int64) (StockLevel, error) {
	if kind != Adjustment && quantity <= 0 {
		return s, fmt.Errorf("%s of %s: quantity must be positive, got %d", kind, code, quantity)
	}
	next := s
	switch kind {
	case Receipt:
		next.OnHand += quantity
		if next.OnHand > MaxQuantity {
			return s, fmt.Errorf("receipt of %s: on-hand would exceed %d", code, MaxQuantity)
		}
	case Adjustment:
		if quantity == 0 {
			return s, fmt.Errorf("adjustment of %s: quantity must not be 0", code)
		}
		next.OnHand += quantity
		if next.OnHand < 0 || next.OnHand > MaxQuantity {
			return s, fmt.Errorf("adjustment of %s: on-hand %d is out of range", code, next.OnHand)
		}
		if next.OnHand < next.Reserved {
			return s, &BelowReservedError{ProductCode: code, OnHand: next.OnHand, Reserved: s.Reserved}
		}
	case Reservation:
		if quantity > s.Available() {
			return s, &InsufficientStockError{ProductCode: code, Requested: quantity, Available: s.Available()}
		}
		next.Reserved += quantity
	case Release:
		if quantity > s.Reserved {
			return s, fmt.Errorf("release of %s: %d exceeds reserved %d", code, quantity, s.Reserved)
		}
		next.Reserved -= quantity
	case Commit:
		if quantity > s.Reserved {
			return s, fmt.Errorf("commit of %s: %d exceeds reserved %d", code, quantity, s.Reserved)
		}
		next.Reserved -= quantity
		next.OnHand -= quantity
	default:
		return s, fmt.Errorf("unknown movement kind %q", kind)
	}
	return next, next.Check()
}

// Movement is one entry of a product's stock ledger: append-only, numbered 1, 2, 3… per product,
// each carrying the level it results in. The ledger is the only truth about stock.
type Movement struct {
	ProductCode string
	Seq         int64
	Kind        MovementKind
	// Quantity moved; signed for adjustments (the change of on-hand), positive otherwise.
	Quantity int64
	// OrderID links saga movements to their order; empty for receipts and adjustments made by hand.
	OrderID string
	// UnitPrice is the price a reservation was made at: the order's price source.
	UnitPrice *Money
	Level     StockLevel
	At        time.Time
	// Note says why, in words (for example, why a reservation was rolled back).
	Note string
}

// ID is the ledger entry's identity: "<productCode>#<seq>". A unique id per sequence number makes
// appending the next entry an optimistic lock.
func (m Movement) ID() string { return MovementID(m.ProductCode, m.Seq) }

// MovementID formats a ledger entry id.
func MovementID(code string, seq int64) string { return fmt.Sprintf("%s#%d", code, seq) }

// Next builds the entry that follows m (the current head) for a movement of quantity, applying the
// stock rules. head may be the zero Movement of a product with no entries yet.
func Next(head Movement, code string, kind MovementKind, quantity int64, orderID string, at time.Time) (Movement, error) {
	level, err := head.Level.Apply(code, kind, quantity)
	if err != nil {
		return Movement{}, err
	}
	return Movement{
		ProductCode: code, Seq: head.Seq + 1, Kind: kind, Quantity: quantity,
		OrderID: orderID, Level: level, At: at,
	}, nil
}
