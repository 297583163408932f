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

// Reservation is the inventory's record of one order. It is written before the first ledger entry of
// the order, so a retried Reserve knows whether an earlier attempt may have left entries behind.
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
