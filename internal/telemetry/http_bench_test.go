package telemetry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// discard is an exporter that drops what it is given.
type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

// BenchmarkHTTPServer is what the server middleware costs one request: with tracing off (the no-op
// provider Setup installs when no exporter is set), and recording into a batcher whose exporter drops
// everything.
func BenchmarkHTTPServer(b *testing.B) {
	for _, bc := range []struct {
		name string
		tp   trace.TracerProvider // nil: no middleware at all
		on   bool                 // what Setup would have recorded
	}{
		{name: "no middleware"},
		{name: "tracing off", tp: noop.NewTracerProvider()},
		{name: "tracing on", tp: sdktrace.NewTracerProvider(sdktrace.WithBatcher(discard{})), on: true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := chi.NewRouter()
			if bc.tp != nil {
				prev := otel.GetTracerProvider()
				b.Cleanup(func() { otel.SetTracerProvider(prev); recording.Store(false) })
				recording.Store(bc.on)
				otel.SetTracerProvider(bc.tp)
				otel.SetTextMapPropagator(Propagator)
				r.Use(HTTPServer("orders"))
			}
			r.Get("/api/v1/orders/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
			req := httptest.NewRequest(http.MethodGet, "/api/v1/orders/o-1", nil)
			req.Header.Set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
			b.ReportAllocs()
			for b.Loop() {
				r.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
