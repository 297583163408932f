package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOrderAnswerStatusFromAnOrderOrAProblem(t *testing.T) {
	tests := []struct {
		name, body, wantID, wantStatus string
	}{
		{"an order", `{"id":"o-1","status":"CONFIRMED"}`, "o-1", "CONFIRMED"},
		{"declined", `{"type":"https://x.example/problems/payment-failed","status":402,"orderId":"o-2"}`, "o-2", "FAILED"},
		{"rejected", `{"type":"https://x.example/problems/order-rejected","status":409,"orderId":"o-3"}`, "o-3", "REJECTED"},
		{"unknown problem", `{"type":"https://x.example/problems/validation","status":400}`, "", ""},
		{"empty", `{}`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a orderAnswer
			require.NoError(t, json.Unmarshal([]byte(tt.body), &a))
			a.readStatus()
			require.Equal(t, tt.wantID, a.id())
			require.Equal(t, tt.wantStatus, a.Status)
		})
	}
}
