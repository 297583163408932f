package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/stretchr/testify/require"
)

func TestParseLedgerFigure(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		want      ledgerFigure
		wantFound bool
		wantErr   bool
	}{
		{"no ledger: an order or payments process", "# TYPE go_goroutines gauge\ngo_goroutines 12\n", ledgerFigure{}, false, false},
		{
			"every kind summed", `# TYPE inventory_ledger_append_attempts histogram
inventory_ledger_append_attempts_bucket{kind="reserved",le="1"} 8
inventory_ledger_append_attempts_bucket{kind="reserved",le="+Inf"} 10
inventory_ledger_append_attempts_sum{kind="reserved"} 14
inventory_ledger_append_attempts_count{kind="reserved"} 10
inventory_ledger_append_attempts_bucket{kind="committed",le="1"} 5
inventory_ledger_append_attempts_bucket{kind="committed",le="+Inf"} 5
inventory_ledger_append_attempts_sum{kind="committed"} 5
inventory_ledger_append_attempts_count{kind="committed"} 5
`, ledgerFigure{Appends: 15, Attempts: 19}, true, false,
		},
		{"not an exposition", "inventory_ledger_append_attempts_sum{kind=\n", ledgerFigure{}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found, err := parseLedgerFigure(strings.NewReader(tt.text))
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantFound, found)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestLedgerFigureRetries(t *testing.T) {
	require.Equal(t, uint64(4), ledgerFigure{Appends: 15, Attempts: 19}.Retries())
	require.Equal(t, uint64(0), ledgerFigure{Appends: 3, Attempts: 3}.Retries())
	require.Equal(t, uint64(0), ledgerFigure{}.Retries())
}

// The histogram as the inventory registers it (internal/mongodb), served by the client library: what
// the suite scrapes must be what the services expose.
func TestScrapeLedgerFigureFromAServedRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: ledgerAttemptsMetric, Buckets: []float64{1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144},
	}, []string{"kind"})
	reg.MustRegister(h)
	for _, a := range []float64{1, 1, 3} {
		h.WithLabelValues("reserved").Observe(a)
	}
	h.WithLabelValues("committed").Observe(2)
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	got, found, err := scrapeLedgerFigure(context.Background(), http.DefaultClient, srv.URL)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, ledgerFigure{Appends: 4, Attempts: 7}, got)
	require.Equal(t, uint64(3), got.Retries())

	_, _, err = scrapeLedgerFigure(context.Background(), http.DefaultClient, srv.URL+"/elsewhere")
	require.Error(t, err, "a 404 is an error, not an empty figure")
}
