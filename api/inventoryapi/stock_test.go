package inventoryapi_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/api"
	"github.com/order-saga/shop/api/inventoryapi"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
)

// stubStock records what reaches the use cases and answers a reserved line at 19.99 USD.
type stubStock struct{ calls []string }

func (s *stubStock) answer(op, orderID string) (inventory.Reservation, error) {
	s.calls = append(s.calls, op+" "+orderID)
	return inventory.Reservation{OrderID: orderID, State: inventory.Reserved, Lines: []inventory.ReservedLine{
		{ProductCode: "A", Quantity: 2, UnitPrice: domain.Money{Minor: 1999, Currency: "USD"}, Seq: 7}}}, nil
}

func (s *stubStock) Reserve(_ context.Context, orderID string, lines []inventory.LineRequest) (inventory.Reservation, error) {
	if err := s.validate(lines); err != nil {
		s.calls = append(s.calls, "reserve "+orderID)
		return inventory.Reservation{}, err
	}
	return s.answer("reserve", orderID)
}

func (s *stubStock) validate(lines []inventory.LineRequest) error {
	var v domain.ValidationError
	ordered := make([]domain.OrderLine, len(lines))
	for i, l := range lines {
		ordered[i] = domain.OrderLine{ProductCode: l.ProductCode, Quantity: l.Quantity}
	}
	domain.ValidateOrderLines(&v, ordered)
	return v.Err()
}

func (s *stubStock) Commit(_ context.Context, orderID string) (inventory.Reservation, error) {
	return s.answer("commit", orderID)
}

func (s *stubStock) Release(_ context.Context, orderID string) (inventory.Reservation, error) {
	return s.answer("release", orderID)
}

func stockRouter(svc inventoryapi.StockService, token string) http.Handler {
	r := chi.NewRouter()
	inventoryapi.MountStock(r, svc, token, slog.New(slog.DiscardHandler))
	return r
}

func serve(h http.Handler, method, path, token, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestStockRoutesNeedTheToken: no, a wrong, or an unset token is a 401 before the use cases.
func TestStockRoutesNeedTheToken(t *testing.T) {
	for _, tt := range []struct{ name, configured, sent string }{
		{"none sent", "s3cret", ""}, {"wrong", "s3cret", "nope"}, {"none configured", "", "anything"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stub := &stubStock{}
			h := stockRouter(stub, tt.configured)
			for _, rt := range []struct{ method, path string }{
				{http.MethodPut, "/api/v1/reservations/o1"}, {http.MethodPost, "/api/v1/reservations/o1/commit"},
				{http.MethodPost, "/api/v1/reservations/o1/release"},
			} {
				rec := serve(h, rt.method, rt.path, tt.sent, `{"lines":[{"productCode":"A","quantity":1}]}`)
				require.Equal(t, http.StatusUnauthorized, rec.Code, rt.path)
				require.Contains(t, rec.Body.String(), "STOCK_API_TOKEN")
			}
			require.Empty(t, stub.calls)
		})
	}
}

// TestStockRoutesReadRequestsAndAnswerReservations: the wire shapes, malformed ids and bodies.
func TestStockRoutesReadRequestsAndAnswerReservations(t *testing.T) {
	stub := &stubStock{}
	h := stockRouter(stub, "tok")

	rec := serve(h, http.MethodPut, "/api/v1/reservations/o1", "tok", `{"lines":[{"productCode":"A","quantity":2}]}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var got map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	require.Equal(t, "o1", got["orderId"])
	require.Equal(t, "RESERVED", got["state"])
	require.Equal(t, []any{map[string]any{"productCode": "A", "quantity": 2.0, "unitPriceMinor": 1999.0, "currency": "USD", "seq": 7.0}}, got["lines"])

	require.Equal(t, http.StatusOK, serve(h, http.MethodPost, "/api/v1/reservations/o1/commit", "tok", "").Code)
	require.Equal(t, http.StatusOK, serve(h, http.MethodPost, "/api/v1/reservations/o1/release", "tok", "").Code)
	require.Equal(t, []string{"reserve o1", "commit o1", "release o1"}, stub.calls)

	stub.calls = nil
	for _, id := range []string{"a%20b", "ord%C3%A9r", strings.Repeat("a", 65), "a%01b"} {
		rec := serve(h, http.MethodPost, "/api/v1/reservations/"+id+"/commit", "tok", "")
		require.Equal(t, http.StatusNotFound, rec.Code, id)
		require.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
	}
	require.Empty(t, stub.calls, "a malformed order id never reaches the use cases")

	bad := []struct{ body, field string }{
		{`{}`, "lines"},
		{`{"lines":[{"quantity":1}]}`, "lines[0].productCode"},
		{`{"lines":[{"productCode":"A","quantity":1.5}]}`, "lines[0].quantity"},
		{`{"lines":[{"productCode":"A","quantity":1}],"extra":1}`, "extra"},
		{`{"lines":[` + strings.Repeat(`{"productCode":"A","quantity":1},`, domain.MaxOrderLines) + `{"productCode":"A","quantity":1}]}`, "lines"},
	}
	for _, b := range bad {
		rec := serve(h, http.MethodPut, "/api/v1/reservations/o2", "tok", b.body)
		require.Equal(t, http.StatusBadRequest, rec.Code, b.body)
		var p struct {
			Type   string              `json:"type"`
			Errors []domain.FieldError `json:"errors"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
		require.Equal(t, api.ProblemBase+"validation", p.Type)
		require.Equal(t, b.field, p.Errors[0].Field, b.body)
	}
	require.Empty(t, stub.calls, "a malformed body never reaches the use cases")

	// Lines of the right shape but invalid are the use case's to refuse (domain.ValidateOrderLines).
	rec = serve(h, http.MethodPut, "/api/v1/reservations/"+url.PathEscape("o3"), "tok", `{"lines":[{"productCode":"A","quantity":0}]}`)
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Contains(t, rec.Body.String(), "items[0].quantity")
}
