package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
)

// Label values of a request that no route serves: the client picks its method and path freely, so
// they must not become label values, or every invented method or path would be a new series.
const (
	unmatchedMethod = "OTHER"
	unmatchedRoute  = "unmatched"
)

// RequestMetrics records each request's duration by method, route pattern (not raw path, which would
// explode the label space with ids) and status code. Every label comes from a closed set: a request
// that no route serves (an unknown path, an invented method, a method the path does not serve) is
// counted as method OTHER on route "unmatched".
func RequestMetrics(reg prometheus.Registerer, service string) func(http.Handler) http.Handler {
	hist := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:        "http_request_duration_seconds",
		Help:        "Duration of HTTP requests by route and status.",
		ConstLabels: prometheus.Labels{"service": service},
		Buckets:     prometheus.DefBuckets,
	}, []string{"method", "route", "status"})
	reg.MustRegister(hist)

	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			matched := routed(r)
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r)
			method, route := unmatchedMethod, unmatchedRoute
			if rc := chi.RouteContext(r.Context()); matched && rc.RoutePattern() != "" {
				method, route = r.Method, rc.RoutePattern()
			}
			status := ww.Status()
			if status == 0 {
				status = http.StatusOK
			}
			hist.WithLabelValues(method, route, strconv.Itoa(status)).Observe(time.Since(start).Seconds())
		})
	}
}

// routed tells whether the router this middleware runs in has an endpoint for the request's method
// and path. It asks before the request is served: afterwards the route context holds the partial
// pattern of wherever routing gave up (such as "/api/v1/orders/*" for a 404 below it).
func routed(r *http.Request) bool {
	rc := chi.RouteContext(r.Context())
	if rc == nil || rc.Routes == nil {
		return false
	}
	path := r.URL.RawPath
	if path == "" {
		path = r.URL.Path
	}
	return rc.Routes.Find(chi.NewRouteContext(), r.Method, path) != ""
}
