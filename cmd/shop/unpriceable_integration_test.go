//go:build integration

package main

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestE2EUnpriceableOrderIs422 places orders that the inventory can reserve but that cannot be paid
// as submitted: lines in two currencies, and a total past what a number holds. Each answers 422 (not
// 402, as a payment failure did), ends REJECTED with the reason, and its stock goes back.
func TestE2EUnpriceableOrderIs422(t *testing.T) {
	s := startSystem(t)
	s.product("E2E-USD", 5, "10")
	r := s.call("inventory", "POST", "/api/v1/inventory",
		`{"productCode":"E2E-EUR","name":"E2E EUR","description":"","quantity":5,"price":10,"currency":"EUR"}`)
	require.Equal(t, http.StatusCreated, r.status, string(r.raw))
	s.product("E2E-HUGE", 1_000_000_000, "100000000000")

	tests := []struct {
		name, body, reason string
		products           []string
	}{
		{"mixed currencies", `{"items":[{"productCode":"E2E-USD","quantity":2},{"productCode":"E2E-EUR","quantity":1}]}`,
			"one currency", []string{"E2E-USD", "E2E-EUR"}},
		{"total overflows", `{"items":[{"productCode":"E2E-HUGE","quantity":1000000000}]}`,
			"overflows", []string{"E2E-HUGE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.call("orders", "POST", "/api/v1/orders", tt.body)
			require.Equal(t, http.StatusUnprocessableEntity, r.status, string(r.raw))
			require.Equal(t, "application/problem+json", r.header.Get("Content-Type"))
			require.Contains(t, r.body["type"], "order-unpriceable")
			require.Contains(t, r.body["detail"], tt.reason)
			id, _ := r.body["orderId"].(string)
			require.NotEmpty(t, id)

			r = s.call("orders", "GET", "/api/v1/orders/"+id, "")
			require.Equal(t, "REJECTED", r.body["status"], string(r.raw))
			require.Contains(t, r.body["reason"], tt.reason)
			for _, code := range tt.products {
				_, reserved, _ := s.stock(code)
				require.Zero(t, reserved, fmt.Sprintf("%s: the reservation was released", code))
			}
		})
	}
}
