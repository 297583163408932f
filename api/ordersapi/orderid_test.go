package ordersapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/api/ordersapi"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/orders"
)

// recordingBackend stands in for the saga client, the order store and the operator (a fake below the
// handlers' ports): it records each order id that reaches it and knows no order.
type recordingBackend struct{ reached []string }

func (b *recordingBackend) seen(id string) (orders.Order, error) {
	b.reached = append(b.reached, id)
	return orders.Order{}, domain.ErrNotFound
}

func (b *recordingBackend) Start(context.Context, orders.Placement, time.Duration) (orders.Order, bool, error) {
	return orders.Order{}, false, errors.New("not used")
}
func (b *recordingBackend) Save(context.Context, orders.Order) error {
	return errors.New("not used")
}
func (b *recordingBackend) Cancel(_ context.Context, id, _ string) (orders.Order, error) {
	return b.seen(id)
}
func (b *recordingBackend) Fulfill(_ context.Context, id string) (orders.Order, error) {
	return b.seen(id)
}
func (b *recordingBackend) Status(_ context.Context, id string) (orders.Order, error) {
	return b.seen(id)
}
func (b *recordingBackend) Get(_ context.Context, id string) (orders.Order, error) {
	return b.seen(id)
}
func (b *recordingBackend) List(_ context.Context, q orders.Query) ([]orders.Order, error) {
	b.reached = append(b.reached, q.CustomerID)
	return nil, nil
}
func (b *recordingBackend) Search(ctx context.Context, q orders.Query) ([]orders.Order, error) {
	return b.List(ctx, q)
}
func (b *recordingBackend) Decide(_ context.Context, id string, _ orders.Decision) (orders.Order, error) {
	return b.seen(id)
}

// service is the order use cases over b.
func (b *recordingBackend) service() *orders.Service {
	return orders.NewService(orders.Ports{Sagas: b, Store: b, Search: b}, orders.Config{})
}

// TestMalformedOrderIDsInPathsAreNotFound sends ids with control characters, invalid UTF-8 and other
// characters no order id has to every route with an {id}: each answers a 404 problem and the id never
// reaches the saga client or the store (on the real system they answered 500 from Temporal).
func TestMalformedOrderIDsInPathsAreNotFound(t *testing.T) {
	routes := []struct{ method, pattern string }{
		{http.MethodGet, "/api/v1/orders/%s"},
		{http.MethodPost, "/api/v1/orders/%s/cancel"},
		{http.MethodPost, "/api/v1/orders/%s/fulfill"},
		{http.MethodGet, "/api/v1/admin/orders/%s"},
		{http.MethodPost, "/api/v1/admin/orders/%s/retry"},
		{http.MethodPost, "/api/v1/admin/orders/%s/compensate"},
		{http.MethodPost, "/api/v1/admin/orders/%s/cancel"},
	}
	ids := []struct {
		name, id string
		valid    bool
	}{
		{name: "control character", id: "ab\x01cd"},
		{name: "NUL", id: "\x00"},
		{name: "newline", id: "a\nb"},
		{name: "invalid UTF-8", id: "\xff\xfe"},
		{name: "non-ASCII letter", id: "ordér"},
		{name: "space", id: "a b"},
		{name: "percent", id: "a%b"},
		{name: "too long", id: strings.Repeat("a", 65)},
		{name: "generated hex id", id: "0123456789abcdef01234567", valid: true},
		{name: "longest", id: strings.Repeat("A", 64), valid: true},
	}
	for _, rt := range routes {
		for _, tt := range ids {
			t.Run(rt.method+" "+rt.pattern+" "+tt.name, func(t *testing.T) {
				backend := &recordingBackend{}
				r := chi.NewRouter()
				ordersapi.Mount(r, backend.service(), testenv.Logger())
				ordersapi.MountAdmin(r, backend.service(), "tok", testenv.Logger())
				req := httptest.NewRequest(rt.method, strings.Replace(rt.pattern, "%s", url.PathEscape(tt.id), 1), nil)
				req.Header.Set("Authorization", "Bearer tok")
				rec := httptest.NewRecorder()
				r.ServeHTTP(rec, req)

				require.Equal(t, http.StatusNotFound, rec.Code, rec.Body.String())
				require.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
				if tt.valid {
					require.NotEmpty(t, backend.reached, "a well-formed id reaches the backend")
					require.Equal(t, tt.id, backend.reached[0])
				} else {
					require.Empty(t, backend.reached, "a malformed id never reaches the backend")
				}
			})
		}
	}
}
