package inventoryapi_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/order-saga/shop/api/inventoryapi"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
)

// checkingService is a fake inventory service: it checks what the handlers hand it against the
// domain's invariants (failing the fuzz run when the handler let through what it must not) and
// answers as the real one does, validation included, without a store.
type checkingService struct {
	t *testing.T
}

func (s checkingService) fail(format string, args ...any) {
	s.t.Helper()
	s.t.Fatalf(format, args...)
}

func (s checkingService) CreateProduct(_ context.Context, np inventory.NewProduct) (inventory.ProductView, error) {
	if np.Code != "" {
		var v domain.ValidationError
		domain.ValidateProductCode(&v, "productCode", np.Code)
		if v.Err() != nil {
			s.fail("handler passed a bad code %q", np.Code)
		}
	}
	if np.Quantity < 0 || np.Quantity > domain.MaxQuantity || np.LowStockThreshold < 0 || np.LowStockThreshold > domain.MaxQuantity {
		s.fail("handler passed quantity %d, threshold %d", np.Quantity, np.LowStockThreshold)
	}
	if _, ok := domain.CurrencyDigits(np.Price.Currency); !ok {
		s.fail("handler passed currency %q", np.Price.Currency)
	}
	if np.Code == "" {
		np.Code = "INV-000000001"
	}
	p := domain.Product{Code: np.Code, Name: np.Name, Description: np.Description, Price: np.Price, LowStockThreshold: np.LowStockThreshold}
	if err := p.Validate(); err != nil {
		return inventory.ProductView{}, err
	}
	return inventory.ProductView{Product: p}, nil
}

func (s checkingService) UpdateProduct(_ context.Context, code string, patch inventory.ProductPatch) (inventory.ProductView, error) {
	if patch.Name == nil && patch.Description == nil && patch.Price == nil && patch.LowStockThreshold == nil {
		s.fail("handler passed an empty patch")
	}
	if patch.LowStockThreshold != nil && (*patch.LowStockThreshold < 0 || *patch.LowStockThreshold > domain.MaxQuantity) {
		s.fail("handler passed threshold %d", *patch.LowStockThreshold)
	}
	p := domain.Product{Code: code, Name: "n", Price: domain.Money{Minor: 100, Currency: "USD"}}
	if patch.Name != nil {
		p.Name = *patch.Name
	}
	if patch.Description != nil {
		p.Description = *patch.Description
	}
	if patch.Price != nil {
		price, err := domain.ParseMoney(*patch.Price, "USD")
		if err != nil {
			return inventory.ProductView{}, &domain.ValidationError{Fields: []domain.FieldError{{Field: "price", Message: err.Error()}}}
		}
		p.Price = price
	}
	if err := p.Validate(); err != nil {
		return inventory.ProductView{}, err
	}
	return inventory.ProductView{Product: p}, nil
}

func (s checkingService) SetStock(_ context.Context, code string, quantity int64) (inventory.ProductView, error) {
	if quantity < 0 || quantity > domain.MaxQuantity {
		s.fail("handler passed quantity %d", quantity)
	}
	return inventory.ProductView{Product: domain.Product{Code: code}, Stock: domain.StockLevel{OnHand: quantity}}, nil
}

func (s checkingService) GetProduct(context.Context, string) (inventory.ProductView, error) {
	return inventory.ProductView{}, domain.ErrNotFound
}

func (s checkingService) ListProducts(_ context.Context, q inventory.ListQuery) ([]inventory.ProductView, error) {
	if q.Limit < 1 || q.Limit > 100 {
		s.fail("handler passed limit %d", q.Limit)
	}
	return nil, nil
}

func (s checkingService) Search(_ context.Context, q inventory.SearchQuery) ([]inventory.ProductView, error) {
	if q.Limit < 1 || q.Limit > 100 || len(q.Text) > 200 {
		s.fail("handler passed limit %d, text of %d bytes", q.Limit, len(q.Text))
	}
	return nil, nil
}

func (s checkingService) Movements(_ context.Context, _ string, before int64, limit int) ([]domain.Movement, error) {
	if limit < 1 || limit > 100 || before < 0 {
		s.fail("handler passed limit %d, before %d", limit, before)
	}
	return nil, nil
}

// fuzzRequest sends one request to a router over checkingService and checks the answer: a success,
// or a 400 problem listing at most domain.MaxFieldErrors fields in a few kilobytes.
func fuzzRequest(t *testing.T, method, target, body string, ok int) {
	svc := checkingService{t: t}
	r := chi.NewRouter()
	inventoryapi.Mount(r, svc, svc, slog.New(slog.DiscardHandler))
	req := httptest.NewRequest(method, "/", strings.NewReader(body))
	req.URL.Path, req.URL.RawQuery, _ = strings.Cut(target, "?")
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	switch rec.Code {
	case ok:
	case http.StatusBadRequest:
		var p struct {
			Errors []domain.FieldError
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
			t.Fatalf("400 is not a problem: %v: %s", err, rec.Body.String())
		}
		if len(p.Errors) == 0 || len(p.Errors) > domain.MaxFieldErrors || rec.Body.Len() > 8192 {
			t.Fatalf("%d errors in %d bytes", len(p.Errors), rec.Body.Len())
		}
	default:
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
}

func FuzzCreateProduct(f *testing.F) {
	f.Fuzz(func(t *testing.T, body string) {
		fuzzRequest(t, "POST", inventoryapi.BasePath, body, http.StatusCreated)
	})
}

func FuzzPatchProduct(f *testing.F) {
	f.Fuzz(func(t *testing.T, body string) {
		fuzzRequest(t, "PATCH", inventoryapi.BasePath+"/P-1", body, http.StatusOK)
	})
}

func FuzzSetStock(f *testing.F) {
	f.Fuzz(func(t *testing.T, body string) {
		fuzzRequest(t, "PUT", inventoryapi.BasePath+"/P-1/stock", body, http.StatusOK)
	})
}

// FuzzListQuery parses any query string of the list and the movements endpoints.
func FuzzListQuery(f *testing.F) {
	f.Fuzz(func(t *testing.T, rawQuery string) {
		if strings.ContainsAny(rawQuery, "#") {
			return // a fragment is never sent
		}
		fuzzRequest(t, "GET", inventoryapi.BasePath+"?"+rawQuery, "", http.StatusOK)
		fuzzRequest(t, "GET", inventoryapi.BasePath+"/P-1/movements?"+rawQuery, "", http.StatusOK)
	})
}
