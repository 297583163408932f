package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/internal/config"
)

func TestServerTimeouts(t *testing.T) {
	tests := []struct {
		name       string
		vars       map[string]string
		wantServer httpTimeouts
		wantOrders httpTimeouts
	}{
		{
			name:       "defaults",
			vars:       map[string]string{},
			wantServer: httpTimeouts{read: 30 * time.Second, write: 30 * time.Second, idle: 2 * time.Minute},
			wantOrders: httpTimeouts{read: 30 * time.Second, write: 30 * time.Second, idle: 2 * time.Minute},
		},
		{
			name:       "a long decision wait lengthens the order service's write timeout only",
			vars:       map[string]string{"ORDER_DECISION_WAIT": "60s"},
			wantServer: httpTimeouts{read: 30 * time.Second, write: 30 * time.Second, idle: 2 * time.Minute},
			wantOrders: httpTimeouts{read: 30 * time.Second, write: 65 * time.Second, idle: 2 * time.Minute},
		},
		{
			name:       "zero is none, as in net/http (headers still bounded)",
			vars:       map[string]string{"HTTP_READ_TIMEOUT": "0s", "HTTP_WRITE_TIMEOUT": "0s", "HTTP_IDLE_TIMEOUT": "0s", "ORDER_DECISION_WAIT": "1s"},
			wantServer: httpTimeouts{},
			wantOrders: httpTimeouts{write: 6 * time.Second},
		},
		{
			name:       "configured",
			vars:       map[string]string{"HTTP_READ_TIMEOUT": "5s", "HTTP_WRITE_TIMEOUT": "2m", "HTTP_IDLE_TIMEOUT": "10s"},
			wantServer: httpTimeouts{read: 5 * time.Second, write: 2 * time.Minute, idle: 10 * time.Second},
			wantOrders: httpTimeouts{read: 5 * time.Second, write: 2 * time.Minute, idle: 10 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse(tt.vars)
			require.NoError(t, err)
			require.Equal(t, tt.wantServer, serverTimeouts(cfg))
			require.Equal(t, tt.wantOrders, ordersTimeouts(cfg))
			require.Greater(t, requestDeadline(ordersTimeouts(cfg).write), cfg.OrderDecisionWait,
				"POST /orders can wait for the decision and still answer")

			srv := newHTTPServer(":0", http.NotFoundHandler(), tt.wantServer)
			require.Equal(t, tt.wantServer.read, srv.ReadTimeout)
			require.Equal(t, tt.wantServer.write, srv.WriteTimeout)
			require.Equal(t, tt.wantServer.idle, srv.IdleTimeout)
			require.Positive(t, srv.ReadHeaderTimeout)
			require.LessOrEqual(t, srv.ReadHeaderTimeout, maxHeaderWait)
		})
	}
}

// TestHTTPServerClosesSlowAndIdleConnections holds connections the way a slow or idle client does and
// checks that the server, not the client, ends them. The client's own deadline only bounds the test.
func TestHTTPServerClosesSlowAndIdleConnections(t *testing.T) {
	var deadlineSet atomic.Bool
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, ok := r.Context().Deadline()
		deadlineSet.Store(ok)
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := newHTTPServer(ln.Addr().String(), handler, httpTimeouts{read: 300 * time.Millisecond, write: 3 * time.Second, idle: 300 * time.Millisecond})
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	tests := []struct {
		name string
		send string // what the client sends before it stops
	}{
		{name: "headers never finished", send: "POST / HTTP/1.1\r\nHost: x\r\n"},
		{name: "body never finished", send: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789"},
		{name: "idle after an answer", send: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", ln.Addr().String())
			require.NoError(t, err)
			defer conn.Close()
			_, err = fmt.Fprint(conn, tt.send)
			require.NoError(t, err)
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(20*time.Second)))
			_, err = io.Copy(io.Discard, bufio.NewReader(conn)) // reads any answer, until the server closes
			require.False(t, errors.Is(err, os.ErrDeadlineExceeded), "the server left the connection open")
		})
	}
	require.True(t, deadlineSet.Load(), "handlers see a context that ends before the write timeout")
}
