//go:build integration

package main

import (
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// stepOf returns the named saga step of an order as the API shows it.
func stepOf(order map[string]any, name string) map[string]any {
	steps, _ := order["steps"].([]any)
	for _, s := range steps {
		if st, ok := s.(map[string]any); ok && st["name"] == name {
			return st
		}
	}
	return nil
}

// TestE2ECompensationOutlastsAPaymentOutage: a CONFIRMED order is cancelled while the payment sandbox
// is down. Its stock goes back at once, without waiting for the refund; while the refund keeps failing
// the order (and the operator list of COMPENSATING orders) shows the refund step with its attempts and
// last error; once the sandbox is back the order ends CANCELLED.
func TestE2ECompensationOutlastsAPaymentOutage(t *testing.T) {
	s := startSystem(t)
	s.product("E2E-COMP", 5, "3")
	r := s.call("orders", "POST", "/api/v1/orders", `{"productCode":"E2E-COMP","quantity":2}`)
	require.Equal(t, http.StatusCreated, r.status, string(r.raw))
	id := r.body["id"].(string)
	q, _, _ := s.stock("E2E-COMP")
	require.Equal(t, float64(3), q, "2 of 5 committed")

	s.stop("payments", syscall.SIGTERM)
	cancelled := make(chan int, 1)
	go func() { // the cancel answers once compensated: after the sandbox is back
		req, _ := http.NewRequest("POST", s.urls["orders"]+"/api/v1/orders/"+id+"/cancel", strings.NewReader(`{"reason":"e2e"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			cancelled <- 0
			return
		}
		resp.Body.Close()
		cancelled <- resp.StatusCode
	}()
	s.waitStatus(id, "COMPENSATING")

	require.Eventually(t, func() bool {
		q, res, _ := s.stock("E2E-COMP")
		return q == 5 && res == 0
	}, 60*time.Second, 200*time.Millisecond, "the stock went back while the payment was down")
	var refund map[string]any
	require.Eventually(t, func() bool {
		r := s.call("orders", "GET", "/api/v1/orders/"+id, "")
		refund = stepOf(r.body, "refund-payment")
		attempts, _ := refund["attempts"].(float64)
		return r.body["status"] == "COMPENSATING" && attempts >= 3
	}, 60*time.Second, 200*time.Millisecond, "the refund's attempts show on the order: %v", refund)
	require.Equal(t, "compensating", refund["state"])
	require.NotEmpty(t, refund["lastError"], "the refund's last error shows on the order")
	r = s.call("orders", "GET", "/api/v1/orders/"+id, "")
	require.Equal(t, "compensated", stepOf(r.body, "release-stock")["state"], "the order says its stock is back")

	r = s.admin("GET", "/api/v1/admin/orders?status=COMPENSATING")
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	require.Contains(t, string(r.raw), id, "the operator list has the compensating order")
	require.Contains(t, string(r.raw), `"lastError"`)

	s.start("payments", "payments")
	s.waitReady("payments")
	require.Equal(t, "CANCELLED", s.waitStatus(id, "CANCELLED"))
	select {
	case code := <-cancelled:
		require.Equal(t, http.StatusOK, code)
	case <-time.After(60 * time.Second): // a bound on a hang, not a timing assertion
		t.Fatal("the cancel never answered")
	}
	r = s.call("orders", "GET", "/api/v1/orders/"+id, "")
	require.Equal(t, "compensated", stepOf(r.body, "refund-payment")["state"])
	require.Equal(t, "compensated", stepOf(r.body, "release-stock")["state"])
}
