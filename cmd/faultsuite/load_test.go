package main

import (
	"math/rand/v2"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestClassifyPost(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   postAnswer
	}{
		{"201 names the confirmed order", http.StatusCreated, `{"id":"o1","status":"CONFIRMED"}`, postAnswer{definite: true, orderID: "o1", status: "CONFIRMED"}},
		{"202 names the undecided order", http.StatusAccepted, `{"id":"o2","status":"PENDING"}`, postAnswer{definite: true, orderID: "o2", status: "PENDING"}},
		{"402 problem carries the failed order", http.StatusPaymentRequired, `{"type":"x","status":402,"orderId":"o3"}`, postAnswer{definite: true, orderID: "o3", status: "FAILED"}},
		{"409 problem carries the rejected order", http.StatusConflict, `{"status":409,"orderId":"o4"}`, postAnswer{definite: true, orderID: "o4", status: "REJECTED"}},
		{"409 without an order is a request still in progress: retry", http.StatusConflict, `{"status":409,"title":"in progress"}`, postAnswer{}},
		{"422 is definite and names no order", http.StatusUnprocessableEntity, `{"status":422}`, postAnswer{definite: true}},
		{"400 is definite and names no order", http.StatusBadRequest, `{"status":400}`, postAnswer{definite: true}},
		{"201 without a readable body is retried", http.StatusCreated, `<html>`, postAnswer{}},
		{"500 is retried", http.StatusInternalServerError, `{}`, postAnswer{}},
		{"503 is retried", http.StatusServiceUnavailable, ``, postAnswer{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, classifyPost(tt.status, []byte(tt.body)))
		})
	}
}

func TestPlannerIsDeterministicAndValid(t *testing.T) {
	products := catalogue("r1")
	plan := planner("r1", products)
	codes := map[string]bool{}
	for _, p := range products {
		codes[p.Code] = true
	}
	a, b := rand.New(rand.NewPCG(7, 1)), rand.New(rand.NewPCG(7, 1))
	keys := map[string]bool{}
	twoLines, declined := 0, 0
	for n := range 500 {
		p := plan(a, "fault-c01", n)
		require.Equal(t, p, plan(b, "fault-c01", n), "the same seed gives the same plans")
		require.False(t, keys[p.Key], "each plan has a key of its own")
		keys[p.Key] = true
		require.Equal(t, "fault-c01", p.CustomerID)
		require.NotEmpty(t, p.Lines)
		require.LessOrEqual(t, len(p.Lines), 2)
		if len(p.Lines) == 2 {
			twoLines++
			require.NotEqual(t, p.Lines[0].ProductCode, p.Lines[1].ProductCode, "lines name different products")
		}
		for _, l := range p.Lines {
			require.True(t, codes[l.ProductCode])
			require.True(t, l.Quantity >= 1 && l.Quantity <= 3)
		}
		if p.Token == "tok_chargeDeclined" {
			declined++
		} else {
			require.Equal(t, "tok_visa", p.Token)
		}
	}
	require.Positive(t, twoLines, "some orders have two lines")
	require.Positive(t, declined, "some orders are paid with a declined card")
}

func TestTerminal(t *testing.T) {
	for _, s := range []string{statusConfirmed, statusCompleted, statusRejected, statusFailed, statusCancelled} {
		require.True(t, terminal(s), s)
	}
	for _, s := range []string{statusPending, "RESERVED", "COMPENSATING", statusNeedsAttention, ""} {
		require.False(t, terminal(s), s)
	}
}
