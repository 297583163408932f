package domain

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"regexp"
	"time"
	"unicode/utf8"
)

// Limits on product fields: generous for real catalogues, small enough that one request cannot fill
// the store.
const (
	MaxProductCodeLen   = 64
	MaxNameLen          = 200
	MaxDescriptionLen   = 4000
	MaxQuantity         = 1_000_000_000
	DefaultLowStockMark = 5
)

// productCodePattern keeps codes URL-safe and free of '#', which separates code and sequence in a
// ledger entry's id.
var productCodePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Product is a catalogue entry. Its stock is not here: it lives in the ledger (see StockLevel).
type Product struct {
	Code        string
	Name        string
	Description string
	Price       Money
	// LowStockThreshold: an inventory.stock.low event fires when available stock falls to it or below.
	LowStockThreshold int64
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// NewProductCode generates a code in the original system's format: "INV-" and nine digits.
func NewProductCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000_000))
	if err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err)) // the OS's randomness source is gone
	}
	return fmt.Sprintf("INV-%09d", n.Int64())
}

// ValidateProductCode checks a code given by a client.
func ValidateProductCode(v *ValidationError, field, code string) {
	switch {
	case code == "":
		v.Add(field, "must not be empty")
	case len(code) > MaxProductCodeLen:
		v.Add(field, "must be at most %d characters", MaxProductCodeLen)
	case !productCodePattern.MatchString(code):
		v.Add(field, "may contain only letters, digits, '.', '_' and '-', and must start with a letter or digit")
	}
}

// ValidateName checks a product name.
func ValidateName(v *ValidationError, name string) {
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		v.Add("name", "must not be empty")
	case n > MaxNameLen:
		v.Add("name", "must be at most %d characters", MaxNameLen)
	case !utf8.ValidString(name):
		v.Add("name", "must be valid UTF-8")
	}
}

// ValidateDescription checks a product description (which may be empty).
func ValidateDescription(v *ValidationError, d string) {
	switch {
	case utf8.RuneCountInString(d) > MaxDescriptionLen:
		v.Add("description", "must be at most %d characters", MaxDescriptionLen)
	case !utf8.ValidString(d):
		v.Add("description", "must be valid UTF-8")
	}
}

// ValidatePrice checks that a price is positive.
func ValidatePrice(v *ValidationError, p Money) {
	if p.Minor <= 0 {
		v.Add("price", "must be greater than 0")
	}
}

// ValidateQuantity checks a stock quantity given by a client.
func ValidateQuantity(v *ValidationError, field string, q int64) {
	switch {
	case q < 0:
		v.Add(field, "must not be negative")
	case q > MaxQuantity:
		v.Add(field, "must be at most %d", MaxQuantity)
	}
}

// Validate checks every field of a product and reports all that are wrong.
func (p Product) Validate() error {
	var v ValidationError
	ValidateProductCode(&v, "productCode", p.Code)
	ValidateName(&v, p.Name)
	ValidateDescription(&v, p.Description)
	ValidatePrice(&v, p.Price)
	if p.LowStockThreshold < 0 {
		v.Add("lowStockThreshold", "must not be negative")
	}
	return v.Err()
}
