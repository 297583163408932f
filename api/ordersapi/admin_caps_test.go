package ordersapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/api/ordersapi"
)

// TestAdminRefusesALongOperatorName: X-Operator is kept in the saga's history, so a long one is a
// 400 before the decision reaches anything (nil here, so a leak would panic).
func TestAdminRefusesALongOperatorName(t *testing.T) {
	r := chi.NewRouter()
	ordersapi.MountAdmin(r, nil, "s3cret", slogDiscard())
	for _, action := range []string{"retry", "compensate"} {
		req := httptest.NewRequest("POST", "/api/v1/admin/orders/x/"+action, nil)
		req.Header.Set("Authorization", "Bearer s3cret")
		req.Header.Set("X-Operator", strings.Repeat("o", 129))
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
		require.Contains(t, rec.Body.String(), `"field":"X-Operator"`)
	}
}
