package k8stest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/order-saga/shop/api"
)

// opsStatus is what the ops endpoints every role serves (api.MountOps) answer a GET of path, with the
// one dependency up or down.
func opsStatus(path string, dependencyUp bool) int {
	r := chi.NewRouter()
	api.MountOps(r, prometheus.NewRegistry(), api.Check{Name: "dependency", Ping: func(context.Context) error {
		if dependencyUp {
			return nil
		}
		return errors.New("down")
	}})
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code
}

// Kubernetes' defaults for a probe's fields left at zero.
func probeTiming(pr *corev1.Probe) (period, timeout, failures int32) {
	period, timeout, failures = pr.PeriodSeconds, pr.TimeoutSeconds, pr.FailureThreshold
	if period == 0 {
		period = 10
	}
	if timeout == 0 {
		timeout = 1
	}
	if failures == 0 {
		failures = 3
	}
	return period, timeout, failures
}

// checkProbes: each pod has startup, liveness and readiness probes that ask the ops endpoints on the
// port the process listens on. Liveness (and startup) must stay 200 while a dependency is down, or an
// outage of MongoDB would restart every pod; readiness must turn 503 then, and may take a little longer
// than the ops endpoint's own bound. The startup probe outlasts STARTUP_TIMEOUT, since a service listens
// only once its dependencies answer.
func checkProbes(s *subject) []string {
	var problems []string
	for _, p := range s.configured() {
		port, _ := p.httpPort()
		probes := []struct {
			kind  string
			probe *corev1.Probe
		}{{"startupProbe", p.c.StartupProbe}, {"livenessProbe", p.c.LivenessProbe}, {"readinessProbe", p.c.ReadinessProbe}}
		for _, pr := range probes {
			if pr.probe == nil || pr.probe.HTTPGet == nil {
				problems = append(problems, fmt.Sprintf("%s: no HTTP %s", p.name(), pr.kind))
				continue
			}
			get := pr.probe.HTTPGet
			if !portIs(get.Port, "http", port) {
				problems = append(problems, fmt.Sprintf("%s: %s asks port %s, but the process listens on http (%d)", p.name(), pr.kind, get.Port.String(), port))
			}
			if get.Scheme != "" && get.Scheme != corev1.URISchemeHTTP {
				problems = append(problems, fmt.Sprintf("%s: %s scheme %s; the shop serves plain HTTP", p.name(), pr.kind, get.Scheme))
			}
			up, down := opsStatus(get.Path, true), opsStatus(get.Path, false)
			switch pr.kind {
			case "readinessProbe":
				if up != http.StatusOK || down != http.StatusServiceUnavailable {
					problems = append(problems, fmt.Sprintf("%s: %s path %q answers %d with dependencies up and %d with one down; want 200 and 503 (/readyz)",
						p.name(), pr.kind, get.Path, up, down))
				}
				if _, timeout, _ := probeTiming(pr.probe); time.Duration(timeout)*time.Second <= api.ReadinessTimeout {
					problems = append(problems, fmt.Sprintf("%s: readinessProbe timeoutSeconds %d; /readyz may take up to %s (api.ReadinessTimeout)",
						p.name(), timeout, api.ReadinessTimeout))
				}
			default:
				if up != http.StatusOK || down != http.StatusOK {
					problems = append(problems, fmt.Sprintf("%s: %s path %q answers %d with dependencies up and %d with one down; want 200 both times (/healthz)",
						p.name(), pr.kind, get.Path, up, down))
				}
			}
		}
		if sp := p.c.StartupProbe; sp != nil {
			period, _, failures := probeTiming(sp)
			window := time.Duration(sp.InitialDelaySeconds+period*failures) * time.Second
			if need := p.cfg.StartupTimeout + 10*time.Second; window < need {
				problems = append(problems, fmt.Sprintf("%s: the startup probe gives up after %s; the service waits up to STARTUP_TIMEOUT=%s for its dependencies before it listens (want at least %s)",
					p.name(), window, p.cfg.StartupTimeout, need))
			}
		}
	}
	return problems
}

// portIs says whether a probe's or Service's port is the container port named name, numbered number.
func portIs(port intstr.IntOrString, name string, number int32) bool {
	if port.Type == intstr.String {
		return port.StrVal == name
	}
	return port.IntVal == number
}
