package api_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/api"
	"github.com/order-saga/shop/domain"
)

// TestDomainRefusalsHaveTypesOfTheirOwn checks that each refusal a client must tell apart (the stock
// door's client maps them back to Go errors) has its own problem type and keeps its fields.
func TestDomainRefusalsHaveTypesOfTheirOwn(t *testing.T) {
	tests := []struct {
		err    error
		status int
		slug   string
		ext    map[string]any
	}{
		{err: &domain.UnknownProductError{ProductCode: "X"}, status: 422, slug: "unknown-product", ext: map[string]any{"productCode": "X"}},
		{err: fmt.Errorf("reserve o1: %w", &domain.InsufficientStockError{ProductCode: "A", Requested: 5, Available: 2}), status: 409,
			slug: "insufficient-stock", ext: map[string]any{"productCode": "A", "requested": 5.0, "available": 2.0}},
		{err: fmt.Errorf("commit o1: %w", domain.ErrConflict), status: 409, slug: "conflict"},
		{err: fmt.Errorf("commit o1: %w", domain.ErrNotFound), status: 404, slug: "not-found"},
		{err: &domain.ValidationError{Fields: []domain.FieldError{{Field: "items", Message: "x"}}}, status: 400, slug: "validation"},
	}
	for _, tt := range tests {
		t.Run(tt.slug, func(t *testing.T) {
			rec := httptest.NewRecorder()
			api.WriteError(rec, httptest.NewRequest(http.MethodGet, "/", nil), slog.New(slog.DiscardHandler), tt.err)
			require.Equal(t, tt.status, rec.Code)
			var body map[string]any
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
			require.Equal(t, api.ProblemBase+tt.slug, body["type"])
			for k, v := range tt.ext {
				require.Equal(t, v, body[k], k)
			}
		})
	}
}
