package ordersapi_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/api/ordersapi"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/orders/idempotencytest"
	"github.com/order-saga/shop/orders/orderstest"
)

// newPlaceRouter mounts the order routes over the use cases with in-memory fakes of their ports: the
// sagas confirm every order at once, the store has none.
func newPlaceRouter(sagas *orderstest.FakeSagas) chi.Router {
	return newRouter(sagas, orderstest.NewMemoryStore())
}

func newRouter(sagas orders.Sagas, store orders.Store) chi.Router {
	r := chi.NewRouter()
	svc := orders.NewService(orders.Ports{Sagas: sagas, Store: store, Keys: &idempotencytest.MemoryStore{}},
		orders.Config{DecisionWait: time.Second, KeyLifetime: time.Hour})
	ordersapi.Mount(r, svc, slogDiscard())
	return r
}

type problemJSON struct {
	Status int
	Detail string
	Errors []struct {
		Field, Message string
	}
	OmittedErrors int
	OrderID       string
}

func post(t *testing.T, r http.Handler, body string, headers ...string) (*httptest.ResponseRecorder, problemJSON) {
	t.Helper()
	req := httptest.NewRequest("POST", ordersapi.BasePath, strings.NewReader(body))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	var p problemJSON
	if rec.Header().Get("Content-Type") == "application/problem+json" {
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	}
	return rec, p
}

// megabyte repeats unit between prefix and suffix (comma-separated) to about 1 MiB.
func megabyte(prefix, unit, suffix string) string {
	n := (1<<20 - len(prefix) - len(suffix)) / (len(unit) + 1)
	return prefix + strings.TrimSuffix(strings.Repeat(unit+",", n), ",") + suffix
}

// TestPlaceCostIsBounded: hostile bodies are refused with a small answer naming the field, before
// anything is started.
func TestPlaceCostIsBounded(t *testing.T) {
	badLines := `{"items":[` + strings.TrimSuffix(strings.Repeat(`{"productCode":"a#b","quantity":0},`, 100), ",") + `]}`
	tests := []struct {
		name, body string
		headers    []string
		field      string
		omitted    int
	}{
		{name: "a megabyte of empty items", body: megabyte(`{"items":[`, `{}`, `]}`), field: "items"},
		{name: "101 lines", body: `{"items":[` + strings.TrimSuffix(strings.Repeat(`{"productCode":"A","quantity":1},`, 101), ",") + `]}`, field: "items"},
		{name: "100 bad lines: 20 errors listed, the rest counted", body: badLines, field: "items[0].productCode", omitted: 180},
		{name: "a 100 kB payment token", body: `{"productCode":"A","quantity":1,"paymentToken":"` + strings.Repeat("t", 100_000) + `"}`, field: "paymentToken"},
		{name: "a payment token with a space", body: `{"productCode":"A","quantity":1,"paymentToken":"tok visa"}`, field: "paymentToken"},
		{name: "a customer id with a control character", body: `{"productCode":"A","quantity":1,"customerId":"c\u0000"}`, field: "customerId"},
		{name: "a megabyte customer id", body: `{"productCode":"A","quantity":1,"customerId":"` + strings.Repeat("c", 1<<20-100) + `"}`, field: "customerId"},
		{name: "a megabyte product code", body: `{"productCode":"` + strings.Repeat("A", 1<<20-100) + `","quantity":1}`, field: "items[0].productCode"},
		{name: "a megabyte number", body: `{"productCode":"A","quantity":1` + strings.Repeat("0", 1<<20-100) + `}`, field: "quantity"},
		{name: "a long unknown field", body: `{"` + strings.Repeat("x", 1<<20-100) + `":1}`, field: "body"},
		{name: "a body over a megabyte", body: `{"customerId":"` + strings.Repeat("c", 1<<20) + `"}`, field: "body"},
		{name: "a key too long", body: `{"productCode":"A","quantity":1}`, headers: []string{"Idempotency-Key", strings.Repeat("k", 256)}, field: "Idempotency-Key"},
		{name: "a key sent twice", body: `{"productCode":"A","quantity":1}`, headers: []string{"Idempotency-Key", "a", "Idempotency-Key", "b"}, field: "Idempotency-Key"},
		{name: "an empty quoted key", body: `{"productCode":"A","quantity":1}`, headers: []string{"Idempotency-Key", `""`}, field: "Idempotency-Key"},
		{name: "a badly quoted key", body: `{"productCode":"A","quantity":1}`, headers: []string{"Idempotency-Key", `"a"b"`}, field: "Idempotency-Key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sagas := &orderstest.FakeSagas{}
			rec, p := post(t, newPlaceRouter(sagas), tt.body, tt.headers...)
			require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			require.Less(t, rec.Body.Len(), 4096, "a small answer")
			require.NotEmpty(t, p.Errors)
			require.LessOrEqual(t, len(p.Errors), domain.MaxFieldErrors)
			require.Equal(t, tt.field, p.Errors[0].Field)
			require.Equal(t, tt.omitted, p.OmittedErrors)
			if tt.omitted > 0 {
				require.Contains(t, p.Detail, "180 more")
			}
			require.Empty(t, sagas.Started(), "nothing started")
		})
	}
}

func TestPlaceWithIdempotencyKey(t *testing.T) {
	sagas := &orderstest.FakeSagas{}
	r := newPlaceRouter(sagas)
	first, _ := post(t, r, `{"customerId":"c1","items":[{"productCode":"A","quantity":1},{"productCode":"B","quantity":2}]}`, "Idempotency-Key", "k1")
	require.Equal(t, http.StatusCreated, first.Code, first.Body.String())
	same, _ := post(t, r, `{"customerId":"c1","items":[{"productCode":"B","quantity":1},{"productCode":"A","quantity":1},{"productCode":"B","quantity":1}]}`, "Idempotency-Key", `"k1"`)
	require.Equal(t, http.StatusCreated, same.Code, same.Body.String())
	require.Equal(t, first.Header().Get("Location"), same.Header().Get("Location"), "lines merged per product are the same request")

	other, p := post(t, r, `{"customerId":"c1","productCode":"A","quantity":1}`, "Idempotency-Key", "k1")
	require.Equal(t, http.StatusUnprocessableEntity, other.Code, other.Body.String())
	require.Empty(t, p.OrderID)
	require.NotContains(t, other.Body.String(), strings.TrimPrefix(first.Header().Get("Location"), ordersapi.BasePath+"/"))

	theirs, _ := post(t, r, `{"customerId":"c2","productCode":"A","quantity":1}`, "Idempotency-Key", "k1")
	require.Equal(t, http.StatusCreated, theirs.Code)
	require.NotEqual(t, first.Header().Get("Location"), theirs.Header().Get("Location"))

	started := sagas.Started()
	require.Len(t, started, 3, "the saga of the first order is joined by the repeat, never a new one")
	require.Equal(t, started[0].OrderID, started[1].OrderID)
}

func slogDiscard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestPlaceRepeatOfAFinishedOrderIsAnsweredFromTheStore: a repeat of a keyed request whose order has
// ended is answered from the order's record, without asking Temporal (whose retention may have
// dropped the workflow); a repeat of an undecided order joins its saga.
func TestPlaceRepeatOfAFinishedOrderIsAnsweredFromTheStore(t *testing.T) {
	tests := []struct {
		status     domain.OrderStatus
		wantCode   int
		wantPlaced int
	}{
		{status: domain.StatusCompleted, wantCode: http.StatusCreated, wantPlaced: 1},
		{status: domain.StatusFailed, wantCode: http.StatusPaymentRequired, wantPlaced: 1},
		{status: domain.StatusRejected, wantCode: http.StatusConflict, wantPlaced: 1},
		{status: domain.StatusReserved, wantCode: http.StatusCreated, wantPlaced: 2},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			sagas, store := &orderstest.FakeSagas{}, orderstest.NewMemoryStore()
			r := newRouter(sagas, store)
			body := `{"customerId":"c1","productCode":"A","quantity":1}`
			first, _ := post(t, r, body, "Idempotency-Key", "k")
			require.Equal(t, http.StatusCreated, first.Code)
			id := strings.TrimPrefix(first.Header().Get("Location"), ordersapi.BasePath+"/")
			require.NoError(t, store.Save(context.Background(), orders.Order{OrderID: id, CustomerID: "c1", Status: tt.status, Reason: "declined", Seq: 3}))
			again, _ := post(t, r, body, "Idempotency-Key", "k")
			require.Equal(t, tt.wantCode, again.Code, again.Body.String())
			require.Equal(t, first.Header().Get("Location"), again.Header().Get("Location"))
			require.Len(t, sagas.Started(), tt.wantPlaced)
		})
	}
}
