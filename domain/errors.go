package domain

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors the adapters and handlers translate into HTTP statuses and Temporal error types.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	// ErrInvalid marks a request another service refused as malformed: retrying cannot help.
	ErrInvalid = errors.New("invalid request")
)

// FieldError names one bad input field and says what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// MaxFieldErrors bounds the fields one ValidationError lists, so that a hostile input cannot make its
// answer (or the memory to build it) large; the rest are only counted in Omitted.
const MaxFieldErrors = 20

// ValidationError lists the bad fields of one input (up to MaxFieldErrors), so a client can fix them
// at once.
type ValidationError struct {
	Fields []FieldError
	// Omitted counts the bad fields found beyond MaxFieldErrors.
	Omitted int
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	msg := "invalid input: " + strings.Join(parts, "; ")
	if e.Omitted > 0 {
		msg += fmt.Sprintf(" (and %d more)", e.Omitted)
	}
	return msg
}

// Add records a bad field; beyond MaxFieldErrors it only counts it.
func (e *ValidationError) Add(field, format string, args ...any) {
	if len(e.Fields) >= MaxFieldErrors {
		e.Omitted++
		return
	}
	e.Fields = append(e.Fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns e if any field was recorded, nil otherwise.
func (e *ValidationError) Err() error {
	if len(e.Fields) == 0 && e.Omitted == 0 {
		return nil
	}
	return e
}

// InsufficientStockError says a movement needed more stock than the product has.
type InsufficientStockError struct {
	ProductCode string
	Requested   int64
	Available   int64
}

func (e *InsufficientStockError) Error() string {
	return fmt.Sprintf("insufficient stock of %s: requested %d, available %d", e.ProductCode, e.Requested, e.Available)
}

// BelowReservedError says on-hand stock cannot be set below what orders have reserved.
type BelowReservedError struct {
	ProductCode string
	OnHand      int64
	Reserved    int64
}

func (e *BelowReservedError) Error() string {
	return fmt.Sprintf("cannot set stock of %s to %d: %d are reserved", e.ProductCode, e.OnHand, e.Reserved)
}

// UnknownProductError says an order named a product the catalogue does not have.
type UnknownProductError struct {
	ProductCode string
}

func (e *UnknownProductError) Error() string { return "unknown product " + e.ProductCode }

// ErrIdempotencyKeyReused says an Idempotency-Key came back with a request other than the one it was
// first used for (IETF draft "The Idempotency-Key HTTP Header Field": 422).
var ErrIdempotencyKeyReused = errors.New("idempotency key already used for a different request")

// ErrPaymentDeclined says the payment provider refused to authorize a payment.
var ErrPaymentDeclined = errors.New("payment declined")
