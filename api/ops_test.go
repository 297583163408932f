package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/api"
)

func up(context.Context) error   { return nil }
func down(context.Context) error { return errors.New("connection refused") }

func TestReadyz(t *testing.T) {
	tests := []struct {
		name     string
		checks   []api.Check
		wantCode int
		wantDown []string
	}{
		{name: "all up", checks: []api.Check{{"mongodb", up}, {"temporal", up}, {"rabbitmq", up}}, wantCode: http.StatusOK},
		{name: "one down is named", checks: []api.Check{{"mongodb", up}, {"temporal", down}, {"rabbitmq", up}}, wantCode: http.StatusServiceUnavailable, wantDown: []string{"temporal"}},
		{name: "all down", checks: []api.Check{{"mongodb", down}, {"rabbitmq", down}}, wantCode: http.StatusServiceUnavailable, wantDown: []string{"mongodb", "rabbitmq"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := chi.NewRouter()
			api.MountOps(r, prometheus.NewRegistry(), tt.checks...)
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))

			require.Equal(t, tt.wantCode, rec.Code)
			var body struct {
				Checks []struct{ Name, Status, Error string }
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
			require.Len(t, body.Checks, len(tt.checks))
			var gotDown []string
			for _, c := range body.Checks {
				if c.Status == "down" {
					gotDown = append(gotDown, c.Name)
					require.Contains(t, c.Error, "connection refused")
				}
			}
			require.Equal(t, tt.wantDown, gotDown)
		})
	}
}

func TestHealthzAndMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	r := chi.NewRouter()
	r.Use(api.RequestMetrics(reg, "test"))
	api.MountOps(r, reg, api.Check{Name: "mongodb", Ping: down})

	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	require.Equal(t, http.StatusOK, rec.Code, "liveness does not depend on dependencies")

	rec = httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	require.True(t, strings.Contains(rec.Body.String(), `http_request_duration_seconds_count{method="GET",route="/healthz",service="test",status="200"} 1`), rec.Body.String())
}
