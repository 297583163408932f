package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// ledgerAttemptsMetric is the inventory's histogram of the insert attempts each stock-ledger append
// took (internal/mongodb): an append beyond its first attempt lost the optimistic-lock race for the
// product's next sequence number to another writer.
const ledgerAttemptsMetric = "inventory_ledger_append_attempts"

// ledgerFigure is what one inventory process's ledger appends cost, since that process started.
type ledgerFigure struct {
	Appends  uint64 // appends made (every kind of movement)
	Attempts uint64 // inserts they took
}

// Retries is how many inserts lost the race for a sequence number and were tried again.
func (l ledgerFigure) Retries() uint64 { return l.Attempts - min(l.Attempts, l.Appends) }

// parseLedgerFigure reads the ledger histogram out of a Prometheus text exposition; found is false
// when the process exposes none (not an inventory process, or one that made no append yet).
func parseLedgerFigure(r io.Reader) (f ledgerFigure, found bool, err error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(r)
	if err != nil {
		return ledgerFigure{}, false, fmt.Errorf("parse metrics: %w", err)
	}
	family, ok := families[ledgerAttemptsMetric]
	if !ok {
		return ledgerFigure{}, false, nil
	}
	for _, m := range family.GetMetric() { // one series per kind of movement
		h := m.GetHistogram()
		f.Appends += h.GetSampleCount()
		f.Attempts += uint64(h.GetSampleSum())
	}
	return f, true, nil
}

// scrapeLedgerFigure reads baseURL/metrics.
func scrapeLedgerFigure(ctx context.Context, client *http.Client, baseURL string) (ledgerFigure, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/metrics", nil)
	if err != nil {
		return ledgerFigure{}, false, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return ledgerFigure{}, false, fmt.Errorf("metrics of %s: %w", baseURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ledgerFigure{}, false, fmt.Errorf("metrics of %s: %s", baseURL, resp.Status)
	}
	return parseLedgerFigure(io.LimitReader(resp.Body, 16<<20))
}

// addLedgerFigures scrapes the ledger figures of every inventory process into procs.
func addLedgerFigures(ctx context.Context, client *http.Client, svcs *services, procs []processFigure) {
	inventory := ofRole(svcs.list, roleInventory)
	for i := range procs {
		p := &procs[i]
		if !slices.Contains(inventory, p.Name) {
			continue
		}
		p.Ledger, p.HasLedger, p.LedgerErr = scrapeLedgerFigure(ctx, client, svcs.specs[p.Name].URL())
	}
}
