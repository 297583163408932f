//go:build integration

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/workflows"
)

// placeAsync submits an order without waiting for its answer and returns its id, found through its
// saga's CustomerId search attribute on this system's task queue: give each call a customer of its
// own. (Order ids are random, so a caller cannot know one before the answer, and the order store
// holds an order only from its decision or its 202 answer on.)
func (s *system) placeAsync(body string) string {
	s.t.Helper()
	var req struct {
		CustomerID string `json:"customerId"`
	}
	require.NoError(s.t, json.Unmarshal([]byte(body), &req))
	require.NotEmpty(s.t, req.CustomerID, "placeAsync needs a customer of its own")
	key := testenv.UniqueName(s.t, "op")
	go func() {
		req, _ := http.NewRequest("POST", s.urls["orders"]+"/api/v1/orders", strings.NewReader(body))
		req.Header.Set("Idempotency-Key", key)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	query := fmt.Sprintf("TaskQueue = %q AND %s = %q", s.ordersQueue, workflows.CustomerIDKey.GetName(), req.CustomerID)
	var id string
	require.Eventually(s.t, func() bool {
		page, err := testenv.Temporal(s.t).ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil || len(page.GetExecutions()) == 0 {
			return false
		}
		id, _ = workflows.OrderIDFromWorkflowID(page.GetExecutions()[0].GetExecution().GetWorkflowId())
		return id != ""
	}, 60*time.Second, 100*time.Millisecond, "no saga of customer %s started", req.CustomerID)
	return id
}

func (s *system) waitStatus(id string, statuses ...string) string {
	s.t.Helper()
	var got string
	require.Eventually(s.t, func() bool {
		r := s.call("orders", "GET", "/api/v1/orders/"+id, "")
		got, _ = r.body["status"].(string)
		for _, st := range statuses {
			if got == st {
				return true
			}
		}
		return false
	}, 60*time.Second, 100*time.Millisecond, "order %s never reached %v (last %s)", id, statuses, got)
	return got
}

func (s *system) admin(method, path string) httpResult {
	return s.call("orders", method, path, "", "Authorization", "Bearer "+adminToken, "X-Operator", "e2e")
}

func (s *system) ctl(args ...string) string {
	s.t.Helper()
	var out, errOut bytes.Buffer
	all := append([]string{"ctl", "-url", s.urls["orders"], "-token", adminToken}, args...)
	require.NoError(s.t, run(context.Background(), all, &out, &errOut), errOut.String())
	return out.String()
}

// TestE2EOperatorsRescueParkedOrders: with the payment sandbox down and a budget of 3 attempts per
// step, orders park in NEEDS_ATTENTION. With the sandbox back, an operator's retry (admin API)
// confirms one; an operator's compensate cancels the other and gives its stock back. Every
// transition's event is on RabbitMQ; the operator tool shows both.
func TestE2EOperatorsRescueParkedOrders(t *testing.T) {
	s := startSystem(t, "STEP_MAX_ATTEMPTS=3", "METRICS_POLL_INTERVAL=500ms")
	s.product("OPS-1", 10, "4.50")
	events := testenv.Listen(t, s.exchange, "order.#")
	s.stop("payments", syscall.SIGTERM)

	retried := s.placeAsync(`{"customerId":"ops-retried","productCode":"OPS-1","quantity":2}`)
	compensated := s.placeAsync(`{"customerId":"ops-compensated","productCode":"OPS-1","quantity":3}`)
	s.waitStatus(retried, "NEEDS_ATTENTION")
	s.waitStatus(compensated, "NEEDS_ATTENTION")
	parkedNow := func() float64 { return sample(scrape(t, s.urls["orders"]), "orders_parked", nil) }
	require.Eventually(t, func() bool { return parkedNow() == 2 }, 30*time.Second, 200*time.Millisecond,
		"the order service's gauge counts both parked orders")
	require.Equal(t, 2.0, sample(scrape(t, s.urls["orders"]), "orders_transitions_total", map[string]string{"status": "NEEDS_ATTENTION"}))

	r := s.call("orders", "GET", "/api/v1/admin/orders", "")
	require.Equal(t, http.StatusUnauthorized, r.status, "the admin API needs the token")
	r = s.admin("GET", "/api/v1/admin/orders")
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	require.Contains(t, string(r.raw), retried)
	require.Contains(t, string(r.raw), compensated)
	r = s.admin("GET", "/api/v1/admin/orders/"+retried)
	require.Contains(t, r.body["reason"], "authorize-payment failed 3 times")

	parked := s.ctl("parked")
	require.Contains(t, parked, retried)
	require.Contains(t, parked, "NEEDS_ATTENTION")
	shown := s.ctl("show", retried)
	require.Regexp(t, `authorize-payment\s+running\s+3\s+payment POST`, shown, "the steps table shows attempts and the last error")

	// The other order's stock is still held while it is parked: 2 + 3 of 10.
	q, res, _ := s.stock("OPS-1")
	require.Equal(t, []float64{10, 5}, []float64{q, res})

	s.start("payments", "payments")
	s.waitReady("payments")
	// The gateway's circuit breaker may still be open for a few seconds after the sandbox returns;
	// a retry that lands in that window parks again, and the operator retries again, as one would.
	retries := 0
	for range 5 {
		retries++
		r = s.admin("POST", "/api/v1/admin/orders/"+retried+"/retry")
		require.Equal(t, http.StatusOK, r.status, string(r.raw))
		if s.waitStatus(retried, "CONFIRMED", "NEEDS_ATTENTION") == "CONFIRMED" {
			break
		}
		time.Sleep(2 * time.Second)
	}
	require.Equal(t, "CONFIRMED", s.waitStatus(retried, "CONFIRMED"))

	out := s.ctl("compensate", compensated)
	require.Contains(t, out, "order    "+compensated)
	require.Equal(t, "CANCELLED", s.waitStatus(compensated, "CANCELLED"))
	r = s.admin("POST", "/api/v1/admin/orders/"+compensated+"/retry")
	require.Equal(t, http.StatusConflict, r.status, "a decision for an order that is not parked is refused")

	q, res, _ = s.stock("OPS-1")
	require.Equal(t, []float64{8, 0}, []float64{q, res}, "2 shipped; the compensated order's 3 are back")
	require.Eventually(t, func() bool { return parkedNow() == 0 }, 30*time.Second, 200*time.Millisecond, "none parked any more")

	// placed, reserved, needs_attention; then per retry: reserved, and needs_attention or confirmed.
	got := eventsBySubject(t, events, map[string]int{retried: 3 + 2*retries, compensated: 5})
	require.Equal(t, []string{"order.placed", "order.reserved", "order.needs_attention", "order.reserved"}, got[retried][:4])
	require.Equal(t, "order.confirmed", got[retried][len(got[retried])-1])
	require.Equal(t, []string{"order.placed", "order.reserved", "order.needs_attention", "order.compensating", "order.cancelled"},
		got[compensated])
}
