package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/api"
)

// TestRequestMetricsLabelsComeFromAClosedSet sends requests a client chooses freely (invented methods,
// paths nobody routes, known paths with a method they do not serve) and checks that they fold into one
// label value each, so hostile traffic cannot grow the number of series.
func TestRequestMetricsLabelsComeFromAClosedSet(t *testing.T) {
	reg := prometheus.NewRegistry()
	r := chi.NewRouter()
	r.Use(api.RequestMetrics(reg, "test"))
	r.Route("/api/v1/orders", func(r chi.Router) {
		r.Get("/", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
		r.Get("/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) })
	})

	requests := []struct{ method, path string }{
		{http.MethodGet, "/api/v1/orders"},
		{http.MethodGet, "/api/v1/orders/a1"},
		{http.MethodGet, "/api/v1/orders/a2"}, // same route as a1: one series
	}
	for _, m := range []string{"FOO", "BAR", "PROPFIND", "X-1", "X-2", "X-3", "BREW"} { // invented methods
		requests = append(requests, struct{ method, path string }{m, "/api/v1/orders"})
	}
	for _, p := range []string{"/nope", "/api/v1/orders/a/b/c", "/api/v2/x", "/api/v1/ordersX"} { // nobody serves these
		requests = append(requests, struct{ method, path string }{http.MethodGet, p})
	}
	requests = append(requests, struct{ method, path string }{http.MethodDelete, "/api/v1/orders/a1"}) // 405

	for _, req := range requests {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(req.method, req.path, nil))
	}

	type series struct{ method, route, status string }
	got := map[series]uint64{}
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != "http_request_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			got[series{labels["method"], labels["route"], labels["status"]}] += m.GetHistogram().GetSampleCount()
		}
	}
	require.Equal(t, map[series]uint64{
		{"GET", "/api/v1/orders", "200"}:      1,
		{"GET", "/api/v1/orders/{id}", "404"}: 2,
		{"OTHER", "unmatched", "405"}:         8, // 7 invented methods and DELETE where only GET is served
		{"OTHER", "unmatched", "404"}:         4,
	}, got)
}
