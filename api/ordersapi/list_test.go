package ordersapi_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/api/ordersapi"
	"github.com/order-saga/shop/internal/testenv"
)

// TestListCustomerIDLengthCountsCharacters holds the list filter to the spec's maxLength (128), which
// counts characters: 128 two-byte letters were refused as too long (the server counted bytes).
func TestListCustomerIDLengthCountsCharacters(t *testing.T) {
	tests := []struct {
		name, customerID string
		wantCode         int
	}{
		{name: "128 ASCII letters", customerID: strings.Repeat("a", 128), wantCode: http.StatusOK},
		{name: "128 two-byte letters", customerID: strings.Repeat("é", 128), wantCode: http.StatusOK},
		{name: "129 letters", customerID: strings.Repeat("é", 129), wantCode: http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			backend := &recordingBackend{}
			r := chi.NewRouter()
			ordersapi.Mount(r, backend.service(), testenv.Logger())
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/orders?customerId="+url.QueryEscape(tt.customerID), nil))
			require.Equal(t, tt.wantCode, rec.Code, rec.Body.String())
			if tt.wantCode == http.StatusOK {
				require.Equal(t, []string{tt.customerID}, backend.reached)
			}
		})
	}
}

// TestListRefusesAnEmptyStatus: the spec's status is one of the enum, so `status=` is refused, as the
// spec says, instead of listing every order (or, for operators, the parked ones).
func TestListRefusesAnEmptyStatus(t *testing.T) {
	for _, path := range []string{"/api/v1/orders?status=", "/api/v1/admin/orders?status="} {
		t.Run(path, func(t *testing.T) {
			backend := &recordingBackend{}
			r := chi.NewRouter()
			ordersapi.Mount(r, backend.service(), testenv.Logger())
			ordersapi.MountAdmin(r, backend.service(), "tok", testenv.Logger())
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Authorization", "Bearer tok")
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)
			require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			require.Contains(t, rec.Body.String(), `"field":"status"`)
			require.Empty(t, backend.reached)
		})
	}
}
