package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// servePprof serves Go's profiler (net/http/pprof) on addr, when PPROF_ADDR sets one: where a
// process's CPU goes under load (make load) is read there, with `go tool pprof`. It has a listener of
// its own, never the API's, so a deployment that leaves the variable empty exposes nothing; bind it to
// a loopback address. It stops with ctx, and returns the address it listens on ("" when off).
func servePprof(ctx context.Context, addr string, log *slog.Logger) string {
	if addr == "" {
		return ""
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second} // serves ln, below
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Warn("pprof is off", "addr", addr, "error", err)
		return ""
	}
	log.Info("pprof listening", "addr", ln.Addr().String())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("pprof stopped", "error", err)
		}
	}()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	return ln.Addr().String()
}
