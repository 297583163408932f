package api_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/api"
	"github.com/order-saga/shop/domain"
)

// TestLinesAreBoundedAndNamed decodes arrays of lines through DecodeJSON: too many, not an array and a
// bad quantity are each a field error naming the field that held them.
func TestLinesAreBoundedAndNamed(t *testing.T) {
	line := `{"productCode":"A","quantity":1}`
	tests := []struct{ name, body, field, message string }{
		{name: "too many", body: `{"lines":[` + strings.Repeat(line+",", domain.MaxOrderLines) + line + `]}`,
			field: "lines", message: "must list at most 100 products"},
		{name: "not an array", body: `{"lines":{}}`, field: "lines", message: "must be an array"},
		{name: "quoted quantity", body: `{"lines":[{"productCode":"A","quantity":"1"}]}`, field: "lines.quantity", message: "must be a number"},
		{name: "unknown field", body: `{"lines":[{"productCode":"A","qty":1}]}`, field: "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var req struct {
				Lines *api.Lines `json:"lines"`
			}
			err := api.DecodeJSON(httptest.NewRecorder(), httptest.NewRequest("PUT", "/", strings.NewReader(tt.body)), &req)
			var invalid *domain.ValidationError
			require.ErrorAs(t, err, &invalid)
			require.Len(t, invalid.Fields, 1)
			if tt.field != "body" {
				require.Equal(t, domain.FieldError{Field: tt.field, Message: tt.message}, invalid.Fields[0])
			}
		})
	}
	var req struct {
		Lines *api.Lines `json:"lines"`
	}
	body := `{"lines":[` + strings.Repeat(line+",", domain.MaxOrderLines-1) + line + `]}`
	require.NoError(t, api.DecodeJSON(httptest.NewRecorder(), httptest.NewRequest("PUT", "/", strings.NewReader(body)), &req))
	require.Len(t, *req.Lines, domain.MaxOrderLines)
}
