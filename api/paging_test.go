package api_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/api"
	"github.com/order-saga/shop/domain"
)

// TestPageLimit: limit is an integer from 1 to 100 when given; `limit=` (given, but empty) is refused
// as the spec says, not read as the default.
func TestPageLimit(t *testing.T) {
	tests := []struct {
		name    string
		query   string
		want    int
		wantErr bool
	}{
		{name: "absent", query: "", want: api.DefaultPageSize},
		{name: "given", query: "limit=5", want: 5},
		{name: "largest", query: "limit=100", want: 100},
		{name: "empty", query: "limit=", wantErr: true},
		{name: "zero", query: "limit=0", wantErr: true},
		{name: "too large", query: "limit=101", wantErr: true},
		{name: "not a number", query: "limit=x", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			require.NoError(t, err)
			var v domain.ValidationError
			got := api.PageLimit(&v, q)
			if tt.wantErr {
				require.Error(t, v.Err())
				require.Equal(t, "limit", v.Fields[0].Field)
				return
			}
			require.NoError(t, v.Err())
			require.Equal(t, tt.want, got)
		})
	}
}
