package telemetry

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// probes are the operational endpoints every service answers; a span per health check or scrape
// would drown the traces that matter.
var probes = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// HTTPServer is chi middleware that makes a server span of each request (continuing the caller's
// trace when it sends a traceparent header) named after its method and route pattern, as in
// "POST /api/v1/orders/{id}/cancel", never after the raw path. Install it first, with router.Use.
// While tracing is off (Setup found no exporter) it only reads the caller's trace context into the
// request's, for the saga and the events to pass on: a fraction of what a span costs.
func HTTPServer(service string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		traced := otelhttp.NewHandler(routePattern(next), service,
			otelhttp.WithFilter(func(r *http.Request) bool { return !probes[r.URL.Path] }),
			otelhttp.WithSpanNameFormatter(spanName))
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if recording.Load() {
				traced.ServeHTTP(w, r)
				return
			}
			if r.Header.Get("traceparent") == "" {
				next.ServeHTTP(w, r)
				return
			}
			ctx := otel.GetTextMapPropagator().Extract(r.Context(), propagation.HeaderCarrier(r.Header))
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// routePattern tells otelhttp the pattern chi matched once the request is served: otelhttp renames
// the span after it (the pattern is known only after routing, while the span starts before).
func routePattern(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		rc := chi.RouteContext(r.Context())
		if rc == nil {
			return
		}
		if p := rc.RoutePattern(); p != "" {
			r.Pattern = p // the request otelhttp handed on: it reads Pattern afterwards, as ServeMux sets it
			trace.SpanFromContext(r.Context()).SetAttributes(semconv.HTTPRoute(p))
		}
	})
}

// spanName is "METHOD pattern" (semantic conventions: never the raw path, which holds ids), or the
// method alone while the pattern is not known.
func spanName(_ string, r *http.Request) string {
	if r.Pattern != "" {
		return r.Method + " " + r.Pattern
	}
	return r.Method
}

// HTTPClient wraps base (nil: http.DefaultTransport) so that each call is a client span and carries
// the caller's trace in its traceparent header. route names the call's path template, such as
// "/v1/payments/{orderId}/capture", for the span's name; nil names it by method alone.
func HTTPClient(base http.RoundTripper, route func(*http.Request) string) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return otelhttp.NewTransport(base, otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
		if route != nil {
			if t := route(r); t != "" {
				return r.Method + " " + t
			}
		}
		return r.Method
	}))
}

// routeKey carries an outgoing call's path template on its context.
type routeKey struct{}

// WithRoute returns ctx carrying route, the path template (say "/v1/payments/{orderId}/capture") that
// names the client span of a request made with it: the path itself holds ids, which would make a span
// name per order.
func WithRoute(ctx context.Context, route string) context.Context {
	return context.WithValue(ctx, routeKey{}, route)
}

// ContextRoute is the route WithRoute put on r's context, "" when none: HTTPClient's span namer for
// clients that use WithRoute.
func ContextRoute(r *http.Request) string {
	route, _ := r.Context().Value(routeKey{}).(string)
	return route
}
