package ordersapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/orders/orderstest"
)

// decidedSagas is a fake below the orders.Sagas port: every order is decided at once with the given
// record.
type decidedSagas struct {
	*orderstest.FakeSagas
	rec orders.Order
}

func (s decidedSagas) Start(_ context.Context, p orders.Placement, _ time.Duration) (orders.Order, bool, error) {
	rec := s.rec
	rec.OrderID = p.OrderID
	return rec, true, nil
}

// TestPlaceAnswersEachOutcome: the saga's decision becomes the HTTP status of POST /orders; an order
// that cannot be priced (total overflow, mixed currencies) is a 422, not a payment failure.
func TestPlaceAnswersEachOutcome(t *testing.T) {
	tests := []struct {
		name   string
		rec    orders.Order
		status int
		typ    string
	}{
		{"confirmed", orders.Order{Status: domain.StatusConfirmed}, http.StatusCreated, ""},
		{"out of stock", orders.Order{Status: domain.StatusRejected, Reason: "insufficient stock"}, http.StatusConflict, "order-rejected"},
		{"declined", orders.Order{Status: domain.StatusFailed, Reason: "payment declined"}, http.StatusPaymentRequired, "payment-failed"},
		{"total overflows", orders.Order{Status: domain.StatusRejected, ReasonCode: orders.ReasonUnpriceable, Reason: "sum overflows"},
			http.StatusUnprocessableEntity, "order-unpriceable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRouter(decidedSagas{FakeSagas: &orderstest.FakeSagas{}, rec: tt.rec}, orderstest.NewMemoryStore())
			req := httptest.NewRequest(http.MethodPost, "/api/v1/orders", strings.NewReader(`{"items":[{"productCode":"A","quantity":1}]}`))
			req.Header.Set("Content-Type", "application/json")
			rw := httptest.NewRecorder()
			r.ServeHTTP(rw, req)
			require.Equal(t, tt.status, rw.Code, rw.Body.String())
			if tt.typ == "" {
				return
			}
			require.Equal(t, "application/problem+json", rw.Header().Get("Content-Type"))
			var p map[string]any
			require.NoError(t, json.Unmarshal(rw.Body.Bytes(), &p))
			require.Contains(t, p["type"], tt.typ)
			require.Equal(t, tt.rec.Reason, p["detail"])
			require.NotEmpty(t, p["orderId"])
		})
	}
}
