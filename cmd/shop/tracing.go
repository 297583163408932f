package main

import (
	"context"
	"time"

	"github.com/order-saga/shop/internal/telemetry"
)

// tracingFlushTimeout bounds how long a stopping process spends exporting its last spans.
const tracingFlushTimeout = 5 * time.Second

// startTracing sets up the process's tracing (internal/telemetry: the OTEL_* variables) for role,
// the resource's service.name. The returned func flushes the spans still buffered; call it before the
// logs close, since a failed export is logged.
func startTracing(ctx context.Context, p process, role string) (func(), error) {
	tr, err := telemetry.Setup(ctx, role, p.log)
	if err != nil {
		return func() {}, err
	}
	if tr.Enabled() {
		p.log.Info("tracing on", "exporter", tr.Exporter)
	} else {
		p.log.Debug("tracing off: no OTEL_TRACES_EXPORTER or OTLP endpoint set (traceparent is still passed on)")
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), tracingFlushTimeout)
		defer cancel()
		if err := tr.Shutdown(ctx); err != nil {
			p.log.Warn("tracing: spans not exported", "error", err)
		}
	}, nil
}
