package inventoryclient_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/inventoryclient"
	"github.com/order-saga/shop/inventory"
)

var quiet = slog.New(slog.DiscardHandler)

// stub answers every call with status, content type and body, and records the last request.
type stub struct {
	status      int
	contentType string
	body        string
	last        *http.Request
	lastBody    string
}

func (s *stub) start(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.last, s.lastBody = r, string(b)
		w.Header().Set("Content-Type", s.contentType)
		w.WriteHeader(s.status)
		_, _ = io.WriteString(w, s.body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// requireNoDomainError: a failure the activities must leave retryable, so the saga falls back.
func requireNoDomainError(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	var (
		unknown *domain.UnknownProductError
		short   *domain.InsufficientStockError
		invalid *domain.ValidationError
	)
	require.False(t, errors.As(err, &unknown) || errors.As(err, &short) || errors.As(err, &invalid) ||
		errors.Is(err, domain.ErrConflict) || errors.Is(err, domain.ErrNotFound), "a domain error: %v", err)
}

func TestRequestsCarryTheTokenAndTheLines(t *testing.T) {
	s := &stub{status: 200, contentType: "application/json", body: `{"orderId":"o1","state":"RESERVED","lines":[
		{"productCode":"A","quantity":2,"unitPriceMinor":1999,"currency":"USD","seq":4}],"restocked":false,"updatedAt":"2026-11-25T16:00:00Z"}`}
	c := inventoryclient.New(s.start(t), "s3cret", time.Second, quiet)

	res, err := c.Reserve(context.Background(), "o1", []inventory.LineRequest{{ProductCode: "A", Quantity: 2}})
	require.NoError(t, err)
	require.Equal(t, http.MethodPut, s.last.Method)
	require.Equal(t, "/api/v1/reservations/o1", s.last.URL.Path)
	require.Equal(t, "Bearer s3cret", s.last.Header.Get("Authorization"))
	require.JSONEq(t, `{"lines":[{"productCode":"A","quantity":2}]}`, s.lastBody)
	require.Equal(t, inventory.Reservation{OrderID: "o1", State: inventory.Reserved, UpdatedAt: time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC),
		Lines: []inventory.ReservedLine{{ProductCode: "A", Quantity: 2, UnitPrice: domain.Money{Minor: 1999, Currency: "USD"}, Seq: 4}}}, res)

	_, err = c.Reserve(context.Background(), "o1", nil)
	require.NoError(t, err)
	require.JSONEq(t, `{"lines":[]}`, s.lastBody, "no lines is an empty list, for the service to refuse")

	_, err = c.Commit(context.Background(), "o1")
	require.NoError(t, err)
	require.Equal(t, "POST /api/v1/reservations/o1/commit", s.last.Method+" "+s.last.URL.Path)
	_, err = c.Release(context.Background(), "o1")
	require.NoError(t, err)
	require.Equal(t, "POST /api/v1/reservations/o1/release", s.last.Method+" "+s.last.URL.Path)
	require.Equal(t, "Bearer s3cret", s.last.Header.Get("Authorization"))
}

func TestProblemsComeBackAsTheUseCasesErrors(t *testing.T) {
	const base = "https://order-saga.example/problems/"
	tests := []struct {
		name   string
		status int
		body   string
		check  func(t *testing.T, err error)
	}{
		{"unknown product", 422, `{"type":"` + base + `unknown-product","status":422,"productCode":"X"}`, func(t *testing.T, err error) {
			var e *domain.UnknownProductError
			require.ErrorAs(t, err, &e)
			require.Equal(t, "X", e.ProductCode)
		}},
		{"insufficient stock", 409, `{"type":"` + base + `insufficient-stock","status":409,"productCode":"A","requested":5,"available":2}`, func(t *testing.T, err error) {
			var e *domain.InsufficientStockError
			require.ErrorAs(t, err, &e)
			require.Equal(t, domain.InsufficientStockError{ProductCode: "A", Requested: 5, Available: 2}, *e)
		}},
		{"validation", 400, `{"type":"` + base + `validation","status":400,"errors":[{"field":"items","message":"m"}],"omittedErrors":3}`, func(t *testing.T, err error) {
			var e *domain.ValidationError
			require.ErrorAs(t, err, &e)
			require.Equal(t, domain.ValidationError{Fields: []domain.FieldError{{Field: "items", Message: "m"}}, Omitted: 3}, *e)
		}},
		{"conflict", 409, `{"type":"` + base + `conflict","status":409,"detail":"released"}`, func(t *testing.T, err error) {
			require.ErrorIs(t, err, domain.ErrConflict)
			require.ErrorContains(t, err, "released")
		}},
		{"not found", 404, `{"type":"` + base + `not-found","status":404}`, func(t *testing.T, err error) {
			require.ErrorIs(t, err, domain.ErrNotFound)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stub{status: tt.status, contentType: "application/problem+json", body: tt.body}
			_, err := inventoryclient.New(s.start(t), "tok", time.Second, quiet).Reserve(context.Background(), "o1",
				[]inventory.LineRequest{{ProductCode: "A", Quantity: 1}})
			tt.check(t, err)
			require.ErrorContains(t, err, "inventory reserve o1")
		})
	}
}

func TestEverythingElseIsAPlainError(t *testing.T) {
	const base = "https://order-saga.example/problems/"
	tests := []struct {
		name, contentType, body string
		status                  int
	}{
		{"unauthorized", "application/problem+json", `{"type":"` + base + `unauthorized","status":401}`, 401},
		{"server error", "application/problem+json", `{"type":"` + base + `internal","status":500}`, 500},
		{"cancelled", "application/problem+json", `{"type":"` + base + `cancelled","status":503}`, 503},
		{"a proxy's page", "text/html", "<html>bad gateway</html>", 502},
		{"router's 404", "text/plain", "404 page not found", 404},
		{"a refusal's type with another status", "application/problem+json", `{"type":"` + base + `conflict","status":500}`, 500},
		{"garbage", "application/json", `{"orderId":`, 200},
		{"not a reservation", "application/json", `{"hello":"world"}`, 200},
		{"problem of another server", "application/problem+json", `{"type":"https://example.com/conflict"}`, 409},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stub{status: tt.status, contentType: tt.contentType, body: tt.body}
			_, err := inventoryclient.New(s.start(t), "tok", time.Second, quiet).Commit(context.Background(), "o1")
			requireNoDomainError(t, err)
			require.ErrorContains(t, err, "inventory commit o1")
		})
	}
}

func TestDownOrSlowIsAPlainErrorAndOpensTheBreaker(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)
	_, err := inventoryclient.New(slow.URL, "tok", 50*time.Millisecond, quiet).Commit(context.Background(), "o1")
	requireNoDomainError(t, err)

	down := httptest.NewServer(http.NotFoundHandler())
	url := down.URL
	down.Close()
	c := inventoryclient.New(url, "tok", time.Second, quiet)
	for range 5 {
		_, err := c.Reserve(context.Background(), "o1", []inventory.LineRequest{{ProductCode: "A", Quantity: 1}})
		requireNoDomainError(t, err)
	}
	_, err = c.Commit(context.Background(), "o1")
	requireNoDomainError(t, err)
	require.ErrorContains(t, err, "circuit breaker is open", "after five failures calls fail at once")
}
