//go:build integration

package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/internal/testenv"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// TestServicesAreReadyOnTheStack runs each service in-process against the local stack, whole and split
// by role as the Kubernetes manifests run it (deploy/k8s), and expects /readyz to report every
// dependency up, /metrics to answer, the API routes only where the API runs, then a clean shutdown when
// the context ends (as on SIGTERM).
func TestServicesAreReadyOnTheStack(t *testing.T) {
	testenv.Config(t) // fail early and clearly if the environment is off
	t.Setenv("ORDERS_TASK_QUEUE", testenv.UniqueName(t, "orders"))
	t.Setenv("INVENTORY_TASK_QUEUE", testenv.UniqueName(t, "inventory"))
	exchange := testenv.UniqueName(t, "ready.events") // not the shared stack's ecommerce.events
	t.Setenv("EVENTS_EXCHANGE", exchange)
	testenv.CleanupExchange(t, exchange)
	for _, svc := range []struct {
		name, addrVar string
		args          []string
		api           bool // the service's routes answer
	}{
		{"inventory", "INVENTORY_ADDR", []string{"inventory"}, true},
		{"inventory api only", "INVENTORY_ADDR", []string{"inventory", "-worker=false"}, true},
		{"inventory worker only", "INVENTORY_ADDR", []string{"inventory", "-api=false"}, false},
		{"orders", "ORDERS_ADDR", []string{"orders"}, true},
		{"orders api only", "ORDERS_ADDR", []string{"orders", "-worker=false"}, true},
		{"orders worker only", "ORDERS_ADDR", []string{"orders", "-api=false"}, false},
	} {
		t.Run(svc.name, func(t *testing.T) {
			addr := freeAddr(t)
			t.Setenv(svc.addrVar, addr)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- run(ctx, svc.args, io.Discard, io.Discard) }()

			var body struct {
				Status string
				Checks []struct{ Name, Status string }
			}
			require.Eventually(t, func() bool {
				resp, err := http.Get("http://" + addr + "/readyz")
				if err != nil {
					return false
				}
				defer resp.Body.Close()
				return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&body) == nil
			}, 60*time.Second, 200*time.Millisecond, "/readyz never answered 200")
			require.Equal(t, "ready", body.Status)
			var names []string
			for _, c := range body.Checks {
				require.Equal(t, "up", c.Status, c.Name)
				names = append(names, c.Name)
			}
			require.Equal(t, []string{"mongodb", "temporal", "rabbitmq"}, names)

			for path, want := range map[string]int{
				"/healthz":               http.StatusOK,
				"/metrics":               http.StatusOK,
				"/api/docs/openapi.yaml": map[bool]int{true: http.StatusOK, false: http.StatusNotFound}[svc.api],
			} {
				resp, err := http.Get("http://" + addr + path)
				require.NoError(t, err)
				resp.Body.Close()
				require.Equal(t, want, resp.StatusCode, path)
			}

			cancel()
			select {
			case err := <-done:
				require.NoError(t, err, "shutdown must be clean")
			case <-time.After(30 * time.Second):
				t.Fatal("service did not stop within 30s of its context ending")
			}
		})
	}
}
