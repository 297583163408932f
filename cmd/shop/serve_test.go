package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"github.com/order-saga/shop/internal/testenv"
)

// stubWorker stands in for a Temporal worker (only what serve calls): it reports a fatal error on
// Fatal, as workers.Worker does when the SDK calls its OnFatalError.
type stubWorker struct {
	worker.Worker
	fatal   chan error
	stopped chan struct{}
}

func (w *stubWorker) Start() error               { return nil }
func (w *stubWorker) Stop()                      { close(w.stopped) }
func (w *stubWorker) Fatal() <-chan error        { return w.fatal }
func (w *stubWorker) isStopped() <-chan struct{} { return w.stopped }

// TestServeEndsWhenTheWorkerFailsForGood: a worker's fatal error ends serve with that error (so the
// process exits non-zero and its supervisor restarts it) instead of leaving an HTTP server that answers
// /readyz while nothing polls the task queue.
func TestServeEndsWhenTheWorkerFailsForGood(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	w := &stubWorker{fatal: make(chan error, 1), stopped: make(chan struct{})}
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })

	done := make(chan error, 1)
	go func() {
		done <- serve(context.Background(), testenv.Logger(), addr, handler, httpTimeouts{}, w, time.Second)
	}()
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 20*time.Millisecond, "serve never answered")

	fatal := errors.New("namespace shop not found")
	w.fatal <- fatal
	var got error
	select {
	case got = <-done:
	case <-time.After(30 * time.Second): // a bound on a hang, not a timing assertion
		t.Fatal("serve went on after the worker's fatal error")
	}
	require.ErrorIs(t, got, fatal)
	require.ErrorContains(t, got, "worker stopped for good")
	<-w.isStopped()
	_, err = http.Get("http://" + addr + "/readyz")
	require.Error(t, err, "the HTTP server is shut down with the worker")
}
