package inventory

import (
	"time"

	"github.com/order-saga/shop/domain"
)

// ReservationState is where an order's stock stands.
type ReservationState string

// An order's reservation goes Reserving → Reserved → Committed, or ends Rejected, or Released (from
// Reserved or Committed: the saga's compensation).
const (
	Reserving ReservationState = "RESERVING"
	Reserved  ReservationState = "RESERVED"
	Rejected  ReservationState = "REJECTED"
	Released  ReservationState = "RELEASED"
	Committed ReservationState = "COMMITTED"
)

// MayBecome reports whether a record in state s may be saved over by one in state next. Records only
// move forward (Reserving → Reserved → Committed; Rejected and Released are final), so a late save of
// an attempt that Temporal already gave up on (a "zombie" Reserve or Commit still running) cannot
// bring a released order's record back.
func (s ReservationState) MayBecome(next ReservationState) bool {
	if s == next {
		return true
	}
	switch s {
	case Reserving:
		return next == Reserved || next == Rejected || next == Released
	case Reserved:
		return next == Committed || next == Released
	case Committed:
		return next == Released
	}
	return false
}

// Reservation is the inventory's record of one order. Reserve writes it once the order's entries are
// made (before them only to record a rejection it is rolling back); until then the ledger's
// idempotency keys are what tells a retry, or a Release, what an earlier attempt left behind.
type Reservation struct {
	OrderID   string
	State     ReservationState
	Lines     []ReservedLine
	Rejection *Rejection
	// Restocked is true when a release gave back goods already committed (a receipt per line).
	Restocked bool
	UpdatedAt time.Time
}

// ReservedLine is one product of an order with the unit price it was reserved at.
type ReservedLine struct {
	ProductCode string
	Quantity    int64
	UnitPrice   domain.Money
	// Seq is the sequence number of the line's reservation entry in its product's ledger, once made;
	// 0 in records written before it was kept (Release then reads the order's entries instead).
	Seq int64
}

// Rejection records why Reserve refused an order, so a retry answers the same.
type Rejection struct {
	Reason      string // "UnknownProduct" or "InsufficientStock"
	ProductCode string
	Requested   int64
	Available   int64
}

// Rejection reasons.
const (
	ReasonUnknownProduct    = "UnknownProduct"
	ReasonInsufficientStock = "InsufficientStock"
)

// Err turns a recorded rejection back into the typed domain error.
func (r *Rejection) Err() error {
	if r.Reason == ReasonUnknownProduct {
		return &domain.UnknownProductError{ProductCode: r.ProductCode}
	}
	return &domain.InsufficientStockError{ProductCode: r.ProductCode, Requested: r.Requested, Available: r.Available}
}

// LineRequest asks for quantity units of a product.
type LineRequest struct {
	ProductCode string
	Quantity    int64
}
