package domain

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Money is an exact amount in a currency's minor units (cents for USD). No float ever touches it.
type Money struct {
	Minor    int64  `json:"-"`
	Currency string `json:"-"`
}

// DefaultCurrency is used when a product is created without one, as in the system this replaces.
const DefaultCurrency = "USD"

// minorDigits is how many decimals each accepted currency has (ISO 4217).
var minorDigits = map[string]int{
	"USD": 2, "EUR": 2, "GBP": 2, "CHF": 2, "CAD": 2, "AUD": 2, "SEK": 2, "NOK": 2, "DKK": 2,
	"PLN": 2, "CZK": 2, "BRL": 2, "MXN": 2, "INR": 2, "CNY": 2, "NZD": 2, "SGD": 2, "HKD": 2,
	"JPY": 0, "KRW": 0, "ISK": 0,
	"KWD": 3, "BHD": 3, "JOD": 3, "OMR": 3, "TND": 3,
}

// maxMinor bounds amounts so that a line total (amount × quantity) and an order total stay far from
// int64 overflow: 10^13 minor units is 100 billion dollars.
const maxMinor = 10_000_000_000_000

// CurrencyDigits returns the decimals of a supported currency.
func CurrencyDigits(currency string) (int, bool) {
	d, ok := minorDigits[currency]
	return d, ok
}

// MaxDecimalLen bounds the text of an amount: far more than any amount below maxMinor needs, and
// short enough to quote back in an error.
const MaxDecimalLen = 40

// ParseMoney reads a plain decimal such as "12.5" or "1999.99" in currency. It refuses exponents,
// signs other than a leading minus, more decimals than the currency has, unknown currencies, and
// texts longer than MaxDecimalLen.
func ParseMoney(decimal, currency string) (Money, error) {
	digits, ok := minorDigits[currency]
	if !ok {
		if len(currency) > 8 {
			return Money{}, errors.New("unsupported currency")
		}
		return Money{}, fmt.Errorf("unsupported currency %q", currency)
	}
	if len(decimal) > MaxDecimalLen {
		return Money{}, fmt.Errorf("must be at most %d characters", MaxDecimalLen)
	}
	s := decimal
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || (hasDot && (frac == "" || !allDigits(frac))) {
		return Money{}, fmt.Errorf("%q is not a plain decimal number", decimal)
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > digits {
		return Money{}, fmt.Errorf("%s has %d decimals at most", currency, digits)
	}
	frac += strings.Repeat("0", digits-len(frac))
	minor, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || minor > maxMinor {
		return Money{}, errors.New("amount is too large")
	}
	if neg {
		minor = -minor
	}
	return Money{Minor: minor, Currency: currency}, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// String renders the amount as a plain decimal with the currency's number of decimals: "12.50".
func (m Money) String() string {
	digits := minorDigits[m.Currency]
	neg := m.Minor < 0
	v := m.Minor
	if neg {
		v = -v
	}
	s := strconv.FormatInt(v, 10)
	if digits > 0 {
		if len(s) <= digits {
			s = strings.Repeat("0", digits-len(s)+1) + s
		}
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Times returns the amount multiplied by a quantity, refusing overflow.
func (m Money) Times(qty int64) (Money, error) {
	if qty < 0 || (qty > 0 && m.Minor > math.MaxInt64/qty) || (qty > 0 && m.Minor < math.MinInt64/qty) {
		return Money{}, fmt.Errorf("%s × %d overflows", m, qty)
	}
	return Money{Minor: m.Minor * qty, Currency: m.Currency}, nil
}

// Plus adds two amounts of the same currency.
func (m Money) Plus(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("cannot add %s to %s", o.Currency, m.Currency)
	}
	if (o.Minor > 0 && m.Minor > math.MaxInt64-o.Minor) || (o.Minor < 0 && m.Minor < math.MinInt64-o.Minor) {
		return Money{}, errors.New("sum overflows")
	}
	return Money{Minor: m.Minor + o.Minor, Currency: m.Currency}, nil
}
