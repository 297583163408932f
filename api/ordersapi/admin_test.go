package ordersapi_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/api/ordersapi"
)

// TestAdminNeedsTheBearerToken checks the guard alone: every admin route refuses a request without
// the right token before it reaches anything behind it (nil here, so a leak would panic).
func TestAdminNeedsTheBearerToken(t *testing.T) {
	tests := []struct {
		name, token, header string
	}{
		{name: "no header", token: "s3cret"},
		{name: "wrong token", token: "s3cret", header: "Bearer s3cre"},
		{name: "longer wrong token", token: "s3cret", header: "Bearer s3cret-and-more"},
		{name: "not a bearer", token: "s3cret", header: "Basic s3cret"},
		{name: "no token configured", token: "", header: "Bearer "},
	}
	routes := []struct{ method, path string }{
		{"GET", "/api/v1/admin/orders"}, {"GET", "/api/v1/admin/orders/x"},
		{"POST", "/api/v1/admin/orders/x/retry"}, {"POST", "/api/v1/admin/orders/x/compensate"},
		{"POST", "/api/v1/admin/orders/x/cancel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := chi.NewRouter()
			ordersapi.MountAdmin(r, nil, tt.token, slog.New(slog.DiscardHandler))
			for _, rt := range routes {
				req := httptest.NewRequest(rt.method, rt.path, nil)
				if tt.header != "" {
					req.Header.Set("Authorization", tt.header)
				}
				rec := httptest.NewRecorder()
				r.ServeHTTP(rec, req)
				require.Equal(t, http.StatusUnauthorized, rec.Code, rt.path)
				require.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
				require.NotContains(t, rec.Body.String(), "s3cret", "the token never appears in answers")
			}
		})
	}
}
