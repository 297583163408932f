//go:build integration && schemathesis

package main

import (
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSchemathesis runs Schemathesis (its `st` command, installed by scripts/schemathesis.sh into a
// virtual environment and named by SCHEMATHESIS) over each service's OpenAPI document (inventory,
// orders with the admin routes, the payment sandbox) against the real
// services, started here as processes on ports, databases and task queues of their own.
//
// The checks (no server error, status codes, content types, response schemas and headers as the spec
// says, data valid by the spec accepted and data it forbids refused) are in scripts/schemathesis.toml.
// SCHEMATHESIS_MAX_EXAMPLES (default 40) and SCHEMATHESIS_SEED (default fixed, so that a run is
// reproducible) tune it.
func TestSchemathesis(t *testing.T) {
	st := os.Getenv("SCHEMATHESIS")
	require.NotEmpty(t, st, "SCHEMATHESIS must name Schemathesis' st command: run scripts/schemathesis.sh (make test-schemathesis)")
	_, err := exec.LookPath(st)
	require.NoError(t, err, "SCHEMATHESIS=%s is not a command: run scripts/schemathesis.sh", st)
	maxExamples := envOr("SCHEMATHESIS_MAX_EXAMPLES", "40")
	_, err = strconv.Atoi(maxExamples)
	require.NoError(t, err, "SCHEMATHESIS_MAX_EXAMPLES")
	seed := envOr("SCHEMATHESIS_SEED", "20261125")

	s := startSystem(t)
	// The specs' examples name this product: with it, the example phase reaches the 200 answers too.
	s.product("INV-000000042", 1000, "19.99")

	specs := []struct {
		name, spec, service string
		headers             []string
	}{
		{name: "inventory", spec: "../../api/inventoryapi/openapi.yaml", service: "inventory"},
		{name: "orders", spec: "../../api/ordersapi/openapi.yaml", service: "orders",
			headers: []string{"Authorization: Bearer " + adminToken}},
		{name: "payments", spec: "../../api/paymentsapi/openapi.yaml", service: "payments"},
	}
	for _, sp := range specs {
		t.Run(sp.name, func(t *testing.T) {
			reports := t.TempDir()
			// The checks, and where they do not apply, are in the config file.
			args := []string{"--config-file", "../../scripts/schemathesis.toml", "run", sp.spec, "--url", s.urls[sp.service],
				"--max-examples", maxExamples, "--seed", seed, "--request-timeout", "30", "--workers", "1", "--no-color",
				"--generation-database", "none", "--report", "junit", "--report-dir", reports}
			for _, h := range sp.headers {
				args = append(args, "--header", h)
			}
			cmd := exec.Command(st, args...)
			out, err := cmd.CombinedOutput()
			t.Logf("st %v\n%s", args, out)
			require.NoError(t, err, "Schemathesis found failures in %s (report in %s)", sp.spec, reports)
		})
	}
}
