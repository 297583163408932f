package ordersapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/orders/orderstest"
)

// FuzzPlaceOrder sends any body and Idempotency-Key to POST /orders: the answer is a 201 (a valid
// order reached the saga), a 400 listing at most domain.MaxFieldErrors fields, or a 422 for a key
// reused with another request; every input that reaches the saga satisfies the order's invariants.
func FuzzPlaceOrder(f *testing.F) {
	sagas := &orderstest.FakeSagas{}
	r := newPlaceRouter(sagas)
	f.Fuzz(func(t *testing.T, body, key string) {
		req := httptest.NewRequest("POST", "/api/v1/orders", strings.NewReader(body))
		if key != "" {
			req.Header["Idempotency-Key"] = []string{key}
		}
		rec := httptest.NewRecorder()
		before := len(sagas.Started())
		r.ServeHTTP(rec, req)
		started := sagas.Started()[before:]

		switch rec.Code {
		case http.StatusCreated:
			if len(started) != 1 {
				t.Fatalf("201 with %d sagas placed", len(started))
			}
			requireValidInput(t, started[0])
		case http.StatusBadRequest, http.StatusUnprocessableEntity:
			if len(started) != 0 {
				t.Fatalf("%d and yet a saga was placed", rec.Code)
			}
			var p problemJSON
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatalf("problem is not JSON: %v", err)
			}
			if len(p.Errors) > domain.MaxFieldErrors || rec.Body.Len() > 8192 {
				t.Fatalf("%d errors, %d bytes", len(p.Errors), rec.Body.Len())
			}
			if rec.Code == http.StatusUnprocessableEntity && (p.OrderID != "" || rec.Header().Get("Location") != "") {
				t.Fatalf("422 names an order: %s", rec.Body.String())
			}
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	})
}

func requireValidInput(t *testing.T, in orders.Placement) {
	t.Helper()
	_, err := domain.NewOrder(in.OrderID, in.CustomerID, orderLinesOf(in))
	var v domain.ValidationError
	domain.ValidatePaymentToken(&v, in.PaymentToken)
	if err != nil || v.Err() != nil {
		t.Fatalf("the saga got an invalid order: %v %v", err, v.Err())
	}
}

func orderLinesOf(in orders.Placement) []domain.OrderLine {
	lines := make([]domain.OrderLine, len(in.Items))
	for i, it := range in.Items {
		lines[i] = domain.OrderLine{ProductCode: it.ProductCode, Quantity: it.Quantity}
	}
	return lines
}

// FuzzListOrdersQuery parses any query string of GET /orders: a 200 or a bounded 400.
func FuzzListOrdersQuery(f *testing.F) {
	r := newPlaceRouter(&orderstest.FakeSagas{})
	f.Fuzz(func(t *testing.T, rawQuery string) {
		req := httptest.NewRequest("GET", "/api/v1/orders", nil)
		req.URL.RawQuery = rawQuery
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
		case http.StatusBadRequest:
			var p problemJSON
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || len(p.Errors) == 0 || len(p.Errors) > domain.MaxFieldErrors || rec.Body.Len() > 8192 {
				t.Fatalf("bad 400: %v: %s", err, rec.Body.String())
			}
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	})
}
