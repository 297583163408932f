package telemetry

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// recordSpans installs a tracer provider that keeps every ended span, and the propagator, for one test.
func recordSpans(t *testing.T) *tracetest.SpanRecorder {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prevTP, prevProp := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(Propagator)
	recording.Store(true)
	t.Cleanup(func() { otel.SetTracerProvider(prevTP); otel.SetTextMapPropagator(prevProp); recording.Store(false) })
	return rec
}

func TestHTTPServerSpansAreNamedByRoute(t *testing.T) {
	r := chi.NewRouter()
	r.Use(HTTPServer("orders"))
	r.Route("/api/v1/orders", func(r chi.Router) {
		r.Post("/{id}/cancel", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	})
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {})

	const traceID = "0af7651916cd43dd8448eb211c80319c"
	tests := []struct {
		name, method, path, traceparent string
		wantSpan                        string // "" for no span
		wantRoute                       string
		wantParentTrace                 bool
	}{
		{name: "route pattern, caller's trace continued", method: "POST", path: "/api/v1/orders/o-123/cancel",
			traceparent: "00-" + traceID + "-b7ad6b7169203331-01", wantSpan: "POST /api/v1/orders/{id}/cancel", wantRoute: "/api/v1/orders/{id}/cancel", wantParentTrace: true},
		{name: "no traceparent: a trace of its own", method: "POST", path: "/api/v1/orders/o-9/cancel", wantSpan: "POST /api/v1/orders/{id}/cancel", wantRoute: "/api/v1/orders/{id}/cancel"},
		{name: "no route matched: the method alone", method: "GET", path: "/nowhere/o-1", wantSpan: "GET"},
		{name: "probes are not traced", method: "GET", path: "/healthz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := recordSpans(t)
			req := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.traceparent != "" {
				req.Header.Set("traceparent", tt.traceparent)
			}
			r.ServeHTTP(httptest.NewRecorder(), req)
			spans := rec.Ended()
			if tt.wantSpan == "" {
				require.Empty(t, spans)
				return
			}
			require.Len(t, spans, 1)
			s := spans[0]
			require.Equal(t, tt.wantSpan, s.Name())
			require.Equal(t, trace.SpanKindServer, s.SpanKind())
			require.Equal(t, tt.wantParentTrace, s.SpanContext().TraceID().String() == traceID)
			route := ""
			for _, a := range s.Attributes() {
				if a.Key == "http.route" {
					route = a.Value.AsString()
				}
			}
			require.Equal(t, tt.wantRoute, route)
		})
	}
}

func TestHTTPClientCarriesTheTraceAndNamesTheTemplate(t *testing.T) {
	rec := recordSpans(t)
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = r.Header.Get("traceparent") }))
	defer srv.Close()

	ctx, parent := otel.Tracer("test").Start(t.Context(), "activity")
	c := http.Client{Transport: HTTPClient(nil, func(*http.Request) string { return "/v1/payments/{orderId}/capture" })}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/v1/payments/o-1/capture", nil)
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	parent.End()

	require.Contains(t, got, parent.SpanContext().TraceID().String(), "the request's traceparent is the caller's trace")
	var names []string
	for _, s := range rec.Ended() {
		names = append(names, s.Name())
	}
	require.Contains(t, names, "POST /v1/payments/{orderId}/capture")
}

// TestHTTPServerWhileTracingIsOff: no span, but the handler's context holds the caller's trace, for
// the saga and the events to pass on.
func TestHTTPServerWhileTracingIsOff(t *testing.T) {
	rec := recordSpans(t)
	recording.Store(false)
	tests := []struct {
		name, traceparent, wantTrace string
	}{
		{name: "a caller's trace is passed on", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", wantTrace: "0af7651916cd43dd8448eb211c80319c"},
		{name: "no traceparent: none", wantTrace: "00000000000000000000000000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen trace.SpanContext
			r := chi.NewRouter()
			r.Use(HTTPServer("orders"))
			r.Get("/x", func(_ http.ResponseWriter, r *http.Request) { seen = trace.SpanContextFromContext(r.Context()) })
			req := httptest.NewRequest(http.MethodGet, "/x", nil)
			if tt.traceparent != "" {
				req.Header.Set("traceparent", tt.traceparent)
			}
			r.ServeHTTP(httptest.NewRecorder(), req)
			require.Equal(t, tt.wantTrace, seen.TraceID().String())
			require.Empty(t, rec.Ended())
		})
	}
}
