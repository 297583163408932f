package domain_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/order-saga/shop/domain"
)

// requireBoundedValidation checks that err, when it is one, is a ValidationError listing at most
// domain.MaxFieldErrors fields with short messages.
func requireBoundedValidation(t *testing.T, err error) {
	t.Helper()
	var v *domain.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("not a ValidationError: %v", err)
	}
	if len(v.Fields) == 0 || len(v.Fields) > domain.MaxFieldErrors {
		t.Fatalf("%d fields listed", len(v.Fields))
	}
	for _, f := range v.Fields {
		if len(f.Field) > 64 || len(f.Message) > 200 {
			t.Fatalf("long error: %q: %q", f.Field, f.Message)
		}
	}
}

// FuzzNewOrder: lines are built from a code list ("A,B,…", one line per code) with one quantity.
func FuzzNewOrder(f *testing.F) {
	f.Fuzz(func(t *testing.T, id, customer, codes string, lines int, qty int64) {
		if lines < 0 || lines > 1000 {
			lines %= 1000
			if lines < 0 {
				lines = -lines
			}
		}
		split := strings.Split(codes, ",")
		in := make([]domain.OrderLine, lines)
		for i := range in {
			in[i] = domain.OrderLine{ProductCode: split[i%len(split)], Quantity: qty}
		}
		o, err := domain.NewOrder(id, customer, in)
		if err != nil {
			requireBoundedValidation(t, err)
			return
		}
		if o.Status != domain.StatusPending || o.ID == "" || len(o.Lines) < 1 || len(o.Lines) > domain.MaxOrderLines ||
			len(o.CustomerID) > domain.MaxCustomerIDLen || !utf8.ValidString(o.CustomerID) {
			t.Fatalf("accepted an order breaking its invariants: %+v", o)
		}
		for _, l := range o.Lines {
			var v domain.ValidationError
			domain.ValidateProductCode(&v, "code", l.ProductCode)
			if v.Err() != nil || l.Quantity < 1 || l.Quantity > domain.MaxQuantity {
				t.Fatalf("accepted a bad line: %+v", l)
			}
		}
		if fp := domain.OrderFingerprint(o.CustomerID, "", o.Lines); len(fp) != 64 {
			t.Fatalf("fingerprint %q", fp)
		}
	})
}

func FuzzParseMoney(f *testing.F) {
	f.Fuzz(func(t *testing.T, decimal, currency string) {
		m, err := domain.ParseMoney(decimal, currency)
		if err != nil {
			if len(err.Error()) > 200 {
				t.Fatalf("long error: %d bytes", len(err.Error()))
			}
			return
		}
		if m.Currency != currency || m.Minor > 10_000_000_000_000 || m.Minor < -10_000_000_000_000 {
			t.Fatalf("out of bounds: %+v", m)
		}
		back, err := domain.ParseMoney(m.String(), currency)
		if err != nil || back != m {
			t.Fatalf("%q → %+v → %q → %+v, %v", decimal, m, m.String(), back, err)
		}
	})
}

func FuzzProductValidate(f *testing.F) {
	f.Fuzz(func(t *testing.T, code, name, description string, price, lowStock int64) {
		p := domain.Product{Code: code, Name: name, Description: description,
			Price: domain.Money{Minor: price, Currency: "USD"}, LowStockThreshold: lowStock}
		err := p.Validate()
		if err != nil {
			requireBoundedValidation(t, err)
			return
		}
		if code == "" || len(code) > domain.MaxProductCodeLen || strings.ContainsAny(code, "#/ ") ||
			name == "" || utf8.RuneCountInString(name) > domain.MaxNameLen || !utf8.ValidString(name) ||
			utf8.RuneCountInString(description) > domain.MaxDescriptionLen || !utf8.ValidString(description) ||
			price <= 0 || lowStock < 0 {
			t.Fatalf("accepted a bad product: %+v", p)
		}
	})
}

func FuzzParseIdempotencyKey(f *testing.F) {
	f.Fuzz(func(t *testing.T, header string) {
		var v domain.ValidationError
		key := domain.ParseIdempotencyKey(&v, header)
		if err := v.Err(); err != nil {
			requireBoundedValidation(t, err)
			if key != "" {
				t.Fatalf("a key %q with an error", key)
			}
			return
		}
		if key == "" || len(key) > domain.MaxIdempotencyKeyLen {
			t.Fatalf("accepted key of %d bytes", len(key))
		}
		for i := 0; i < len(key); i++ {
			if key[i] < 0x20 || key[i] > 0x7e {
				t.Fatalf("accepted a key with byte %#x", key[i])
			}
		}
	})
}
