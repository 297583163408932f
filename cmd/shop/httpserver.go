package main

import (
	"context"
	"net/http"
	"time"

	"github.com/order-saga/shop/internal/config"
)

// Bounds of every HTTP server the project starts, so a slow or idle client cannot hold a connection
// (and its goroutine and buffers) for ever.
const (
	// maxHeaderWait bounds reading a request's headers, whatever HTTP_READ_TIMEOUT says.
	maxHeaderWait = 10 * time.Second
	// decisionWriteMargin is what the order service's write timeout keeps beyond ORDER_DECISION_WAIT:
	// POST /orders answers after waiting that long for the saga, and its answer must still go out.
	decisionWriteMargin = 5 * time.Second
	// deadlineMargin is how long before the write timeout a request's context ends, so a handler that
	// waits (for Temporal, say) still answers a problem instead of writing to a closed connection.
	deadlineMargin = time.Second
)

// httpTimeouts are an HTTP server's read, write and idle timeouts; zero means none, as in net/http
// (the services always set them from the configuration).
type httpTimeouts struct {
	read, write, idle time.Duration
}

// serverTimeouts are the configured timeouts, for every service.
func serverTimeouts(cfg config.Config) httpTimeouts {
	return httpTimeouts{read: cfg.HTTPReadTimeout, write: cfg.HTTPWriteTimeout, idle: cfg.HTTPIdleTimeout}
}

// ordersTimeouts are the order service's: its write timeout outlasts the wait of POST /orders.
func ordersTimeouts(cfg config.Config) httpTimeouts {
	t := serverTimeouts(cfg)
	t.write = max(t.write, cfg.OrderDecisionWait+decisionWriteMargin)
	return t
}

// newHTTPServer is an HTTP server with the timeouts t, whose handlers see a context that ends a little
// before the write timeout.
func newHTTPServer(addr string, handler http.Handler, t httpTimeouts) *http.Server {
	if t.write > 0 {
		handler = withRequestDeadline(handler, requestDeadline(t.write))
	}
	headerWait := maxHeaderWait
	if t.read > 0 {
		headerWait = min(maxHeaderWait, t.read)
	}
	return &http.Server{
		Addr:              addr,
		Handler:           handler,
		ReadHeaderTimeout: headerWait,
		ReadTimeout:       t.read,
		WriteTimeout:      t.write,
		IdleTimeout:       t.idle,
	}
}

// requestDeadline is how long a handler may run before its context ends: deadlineMargin short of the
// write timeout (half of it when that is very short).
func requestDeadline(write time.Duration) time.Duration {
	if write <= 2*deadlineMargin {
		return write / 2
	}
	return write - deadlineMargin
}

func withRequestDeadline(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
