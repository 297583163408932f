//go:build integration

package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/order-saga/shop/internal/testenv"
)

// TestE2EIdempotencyKey: keys are scoped to the customer and bound to the request they came with
// (IETF draft "The Idempotency-Key HTTP Header Field"), stored by the order service itself.
func TestE2EIdempotencyKey(t *testing.T) {
	s := startSystem(t)
	s.product("E2E-I", 100, "1")
	s.product("E2E-J", 100, "2")
	const one, two = `"items":[{"productCode":"E2E-I","quantity":1}]`, `"items":[{"productCode":"E2E-J","quantity":2}]`
	place := func(key, body string) httpResult {
		return s.call("orders", "POST", "/api/v1/orders", body, "Idempotency-Key", key)
	}

	t.Run("same key and request: the same order, one saga", func(t *testing.T) {
		key := testenv.UniqueName(t, "key")
		first := place(key, `{"customerId":"c-same",`+one+`}`)
		require.Equal(t, http.StatusCreated, first.status, string(first.raw))
		// The same request in the other shape, and as a quoted Structured Field String.
		again := place(`"`+key+`"`, `{"productCode":"E2E-I","quantity":1,"customerId":"c-same"}`)
		require.Equal(t, http.StatusCreated, again.status, string(again.raw))
		require.Equal(t, first.body["id"], again.body["id"])
		require.Equal(t, first.header.Get("Location"), again.header.Get("Location"))
		query := fmt.Sprintf("WorkflowId = 'order-%s'", first.body["id"])
		require.Eventually(t, func() bool {
			resp, err := testenv.Temporal(t).CountWorkflow(context.Background(), &workflowservice.CountWorkflowExecutionsRequest{Query: query})
			return err == nil && resp.GetCount() == 1 // a passing error of the visibility store is asked again
		}, 10*time.Second, 200*time.Millisecond, "one workflow for the key")
	})

	t.Run("two customers with one key: each their own order", func(t *testing.T) {
		key := testenv.UniqueName(t, "shared")
		a := place(key, `{"customerId":"c-a",`+one+`}`)
		b := place(key, `{"customerId":"c-b",`+two+`}`)
		require.Equal(t, http.StatusCreated, a.status, string(a.raw))
		require.Equal(t, http.StatusCreated, b.status, string(b.raw))
		require.NotEqual(t, a.body["id"], b.body["id"])
		require.Equal(t, "c-b", b.body["customerId"])
		require.Equal(t, "E2E-J", b.body["productCode"], "b's own order, not a's")
		anon := place(key, `{`+two+`}`)
		require.Equal(t, http.StatusCreated, anon.status, "no customer is a scope of its own: "+string(anon.raw))
		require.NotContains(t, []any{a.body["id"], b.body["id"]}, anon.body["id"])
	})

	t.Run("same customer and key, another request: 422 naming no order", func(t *testing.T) {
		key := testenv.UniqueName(t, "reuse")
		first := place(key, `{"customerId":"c-r",`+one+`}`)
		require.Equal(t, http.StatusCreated, first.status, string(first.raw))
		for _, body := range []string{
			`{"customerId":"c-r",` + two + `}`,
			`{"customerId":"c-r","paymentToken":"tok_chargeDeclined",` + one + `}`,
			`{"customerId":"c-r","items":[{"productCode":"E2E-I","quantity":2}]}`,
		} {
			r := place(key, body)
			require.Equal(t, http.StatusUnprocessableEntity, r.status, string(r.raw))
			require.Equal(t, "application/problem+json", r.header.Get("Content-Type"))
			require.NotContains(t, string(r.raw), first.body["id"].(string), "the other order is not named")
			require.NotContains(t, r.body, "orderId")
			require.Empty(t, r.header.Get("Location"))
		}
	})

	t.Run("simultaneous identical requests: one order", func(t *testing.T) {
		key := testenv.UniqueName(t, "race")
		q0, _, _ := s.stock("E2E-I")
		const n = 8
		ids := make([]any, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				r := place(key, `{"customerId":"c-race",`+one+`}`)
				if r.status == http.StatusCreated {
					ids[i] = r.body["id"]
				} else {
					ids[i] = fmt.Sprintf("status %d: %s", r.status, r.raw)
				}
			})
		}
		wg.Wait()
		for i := range n {
			require.Equal(t, ids[0], ids[i], "request %d", i)
		}
		q, _, _ := s.stock("E2E-I")
		require.Equal(t, q0-1, q, "one unit shipped, not %d", n)
	})

	t.Run("a key too long is 400", func(t *testing.T) {
		r := place(fmt.Sprintf("%0256d", 0), `{`+one+`}`)
		require.Equal(t, http.StatusBadRequest, r.status, string(r.raw))
		require.Contains(t, string(r.raw), `"field":"Idempotency-Key"`)
	})
}

// TestE2EIdempotencyKeyExpires: once a key's record has expired (here its lifetime is a millisecond)
// the same key and request place a new order.
func TestE2EIdempotencyKeyExpires(t *testing.T) {
	s := startSystem(t, "IDEMPOTENCY_KEY_LIFETIME=1ms")
	s.product("E2E-X", 10, "1")
	key := testenv.UniqueName(t, "expiring")
	body := `{"customerId":"c-x","items":[{"productCode":"E2E-X","quantity":1}]}`
	first := s.call("orders", "POST", "/api/v1/orders", body, "Idempotency-Key", key)
	require.Equal(t, http.StatusCreated, first.status, string(first.raw))
	second := s.call("orders", "POST", "/api/v1/orders", body, "Idempotency-Key", key)
	require.Equal(t, http.StatusCreated, second.status, string(second.raw))
	require.NotEqual(t, first.body["id"], second.body["id"])
	q, _, _ := s.stock("E2E-X")
	require.Equal(t, 8.0, q, "two orders shipped")
	third := s.call("orders", "POST", "/api/v1/orders", `{"customerId":"c-x","items":[{"productCode":"E2E-X","quantity":3}]}`, "Idempotency-Key", key)
	require.Equal(t, http.StatusCreated, third.status, "an expired key is free for another request: "+string(third.raw))
}
