package domain

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// OrderStatus is where an order stands in its saga.
type OrderStatus string

// The order lifecycle: PENDING → RESERVED → CONFIRMED → COMPLETED, and off that path REJECTED (unknown
// product, not enough stock, or a total that cannot be computed: compensated), FAILED (payment declined; compensated), CANCELLED (by customer or
// operator; compensated), NEEDS_ATTENTION (a step ran out of retries; parked for an operator).
// COMPENSATING shows while compensations run.
const (
	StatusPending        OrderStatus = "PENDING"
	StatusReserved       OrderStatus = "RESERVED"
	StatusConfirmed      OrderStatus = "CONFIRMED"
	StatusCompleted      OrderStatus = "COMPLETED"
	StatusRejected       OrderStatus = "REJECTED"
	StatusFailed         OrderStatus = "FAILED"
	StatusCancelled      OrderStatus = "CANCELLED"
	StatusNeedsAttention OrderStatus = "NEEDS_ATTENTION"
	StatusCompensating   OrderStatus = "COMPENSATING"
)

// OrderStatuses returns every status of the lifecycle, in its order (metrics count by status, and a
// series that exists from the start shows its first increase).
func OrderStatuses() []OrderStatus {
	return []OrderStatus{StatusPending, StatusReserved, StatusConfirmed, StatusCompleted, StatusRejected,
		StatusFailed, StatusCancelled, StatusNeedsAttention, StatusCompensating}
}

// transitions lists, for each status, the statuses it may move to.
var transitions = map[OrderStatus][]OrderStatus{
	StatusPending:        {StatusReserved, StatusRejected, StatusCompensating, StatusCancelled, StatusNeedsAttention},
	StatusReserved:       {StatusConfirmed, StatusCompensating, StatusNeedsAttention},
	StatusConfirmed:      {StatusCompleted, StatusCompensating, StatusNeedsAttention},
	StatusCompensating:   {StatusFailed, StatusCancelled, StatusRejected, StatusNeedsAttention},
	StatusNeedsAttention: {StatusPending, StatusReserved, StatusConfirmed, StatusCompensating},
}

// ErrInvalidTransition is wrapped by every refused status change.
var ErrInvalidTransition = errors.New("invalid order status transition")

// Terminal reports whether no transition leaves s.
func (s OrderStatus) Terminal() bool {
	switch s {
	case StatusCompleted, StatusRejected, StatusFailed, StatusCancelled:
		return true
	}
	return false
}

// Valid reports whether s is a known status.
func (s OrderStatus) Valid() bool {
	_, known := transitions[s]
	return known || s.Terminal()
}

// CanMoveTo reports whether an order in s may move to next.
func (s OrderStatus) CanMoveTo(next OrderStatus) bool {
	for _, allowed := range transitions[s] {
		if allowed == next {
			return true
		}
	}
	return false
}

// Cancellable reports whether a customer or operator may still cancel an order in s.
func (s OrderStatus) Cancellable() bool {
	return !s.Terminal() && s != StatusCompensating
}

// OrderLine is one product of an order. UnitPrice is taken from the inventory at reservation; before
// that it is the zero Money.
type OrderLine struct {
	ProductCode string
	Quantity    int64
	UnitPrice   Money
}

// Order is an order with its lines and status. It guards its own transitions.
type Order struct {
	ID         string
	CustomerID string
	Lines      []OrderLine
	Status     OrderStatus
}

// Limits on what one order may carry: generous for real orders, small enough that one request costs
// little to check and to carry through the saga.
const (
	MaxOrderLines      = 100
	MaxCustomerIDLen   = 128
	MaxPaymentTokenLen = 255
)

// NewOrder validates an order as submitted: an id, a valid customer id and valid lines
// (ValidateOrderLines). It starts PENDING.
func NewOrder(id, customerID string, lines []OrderLine) (Order, error) {
	var v ValidationError
	if id == "" {
		v.Add("id", "must not be empty")
	}
	ValidateCustomerID(&v, customerID)
	ValidateOrderLines(&v, lines)
	if err := v.Err(); err != nil {
		return Order{}, err
	}
	return Order{ID: id, CustomerID: customerID, Lines: lines, Status: StatusPending}, nil
}

// ValidateOrderLines checks an order's lines, wherever they are taken in (the order service, the
// inventory's reservation): 1 to MaxOrderLines of them, each a valid product code and a quantity from 1
// to MaxQuantity. Too many lines are refused before any is looked at, so checking costs little.
func ValidateOrderLines(v *ValidationError, lines []OrderLine) {
	if len(lines) == 0 {
		v.Add("items", "must list at least one product")
	}
	if len(lines) > MaxOrderLines {
		v.Add("items", "must list at most %d products", MaxOrderLines)
		return
	}
	for i, l := range lines {
		ValidateProductCode(v, fmt.Sprintf("items[%d].productCode", i), l.ProductCode)
		if l.Quantity < 1 || l.Quantity > MaxQuantity {
			v.Add(fmt.Sprintf("items[%d].quantity", i), "must be a whole number from 1 to %d", MaxQuantity)
		}
	}
}

// ValidateCustomerID checks a customer id (which may be empty: an anonymous order).
func ValidateCustomerID(v *ValidationError, customerID string) {
	switch {
	case len(customerID) > MaxCustomerIDLen:
		v.Add("customerId", "must be at most %d characters", MaxCustomerIDLen)
	case !printable(customerID):
		v.Add("customerId", "must be valid UTF-8 without control characters")
	}
}

// ValidatePaymentToken checks a payment token (which may be empty: the default token is used). Tokens
// are provider identifiers such as tok_visa: visible ASCII.
func ValidatePaymentToken(v *ValidationError, token string) {
	switch {
	case len(token) > MaxPaymentTokenLen:
		v.Add("paymentToken", "must be at most %d characters", MaxPaymentTokenLen)
	case !visibleASCII(token):
		v.Add("paymentToken", "must be visible ASCII characters")
	}
}

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// MoveTo changes the status, refusing any move the lifecycle does not allow.
func (o *Order) MoveTo(next OrderStatus) error {
	if !o.Status.CanMoveTo(next) {
		return fmt.Errorf("order %s: %s → %s: %w", o.ID, o.Status, next, ErrInvalidTransition)
	}
	o.Status = next
	return nil
}

// Price sets each line's unit price from the reservation. Every line must be priced, in one currency.
func (o *Order) Price(prices map[string]Money) error {
	for i, l := range o.Lines {
		p, ok := prices[l.ProductCode]
		if !ok {
			return fmt.Errorf("order %s: no price for %s", o.ID, l.ProductCode)
		}
		o.Lines[i].UnitPrice = p
	}
	_, err := o.Total()
	return err
}

// Total is the exact sum of unit price × quantity over the lines. (The system this replaces multiplied
// by the stock count; this does not.) Before pricing it is zero.
func (o Order) Total() (Money, error) {
	if len(o.Lines) == 0 || o.Lines[0].UnitPrice.Currency == "" {
		return Money{}, nil
	}
	total := Money{Currency: o.Lines[0].UnitPrice.Currency}
	for _, l := range o.Lines {
		line, err := l.UnitPrice.Times(l.Quantity)
		if err != nil {
			return Money{}, fmt.Errorf("order %s: line %s: %w", o.ID, l.ProductCode, err)
		}
		if total, err = total.Plus(line); err != nil {
			return Money{}, fmt.Errorf("order %s: %w (one order is paid in one currency)", o.ID, err)
		}
	}
	return total, nil
}
