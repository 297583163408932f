// Package api holds what the HTTP side of both services shares: the operational endpoints
// (/healthz, /readyz, /metrics) and request metrics. Each service's routes live in a sub-package.
package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check is one dependency a service needs to do its work: readiness fails, naming it, when Ping does.
type Check struct {
	Name string
	Ping func(ctx context.Context) error
}

// ReadinessTimeout bounds one /readyz call, so a hung dependency shows as not ready instead of
// hanging the prober; a readiness probe waits longer than this (deploy/k8stest checks the manifests').
const ReadinessTimeout = 3 * time.Second

type checkResult struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

type readiness struct {
	Status string        `json:"status"`
	Checks []checkResult `json:"checks"`
}

// MountOps adds /healthz (the process is alive), /readyz (every dependency answers: 200, otherwise
// 503 naming the failing ones) and /metrics (Prometheus, from gatherer).
func MountOps(r chi.Router, gatherer prometheus.Gatherer, checks ...Check) {
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	r.Get("/readyz", func(w http.ResponseWriter, req *http.Request) {
		ctx, cancel := context.WithTimeout(req.Context(), ReadinessTimeout)
		defer cancel()
		res := readiness{Status: "ready", Checks: make([]checkResult, len(checks))}
		code := http.StatusOK
		// Checks run one after another in a fixed order: there are three at most, and the answer reads
		// the same every time.
		for i, c := range checks {
			res.Checks[i] = checkResult{Name: c.Name, Status: "up"}
			if err := c.Ping(ctx); err != nil {
				res.Checks[i].Status, res.Checks[i].Error = "down", err.Error()
				res.Status, code = "unavailable", http.StatusServiceUnavailable
			}
		}
		writeJSON(w, code, res)
	})
	r.Handle("/metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{}))
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
