package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/api"
)

// TestBearerAdmitsOnlyTheToken checks the shared guard: the right token passes, anything else is a 401
// problem naming the realm and the variable, never the token.
func TestBearerAdmitsOnlyTheToken(t *testing.T) {
	tests := []struct {
		name, token, header string
		admitted            bool
	}{
		{name: "right token", token: "s3cret", header: "Bearer s3cret", admitted: true},
		{name: "no header", token: "s3cret"},
		{name: "wrong token", token: "s3cret", header: "Bearer s3cre"},
		{name: "longer wrong token", token: "s3cret", header: "Bearer s3cret-and-more"},
		{name: "not a bearer", token: "s3cret", header: "Basic s3cret"},
		{name: "no token configured", token: "", header: "Bearer "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reached := false
			h := api.Bearer(tt.token, "test-realm", "Needs Authorization: Bearer <TEST_TOKEN>.")(
				http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, tt.admitted, reached)
			if tt.admitted {
				return
			}
			require.Equal(t, http.StatusUnauthorized, rec.Code)
			require.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
			require.Equal(t, `Bearer realm="test-realm"`, rec.Header().Get("WWW-Authenticate"))
			require.Contains(t, rec.Body.String(), "TEST_TOKEN")
			require.NotContains(t, rec.Body.String(), "s3cret", "the token never appears in answers")
		})
	}
}
