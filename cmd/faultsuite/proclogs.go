package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// processFigure is what one supervised process did, as far as its log tells: with replicas, how the
// work spread over them. The counts come from the records the services write at LOG_LEVEL debug
// ("activity completed", Debug, and "activity failed" from the worker's logging interceptor, local
// activities included; "http request", Info, from the request logger), so at the suite's default
// level (warn) only the failures are there.
type processFigure struct {
	Name                string
	Starts              int // the first start included: a kill or a crash adds one
	ActivitiesCompleted int
	ActivitiesFailed    int
	Requests            int // HTTP requests answered (probes not counted: they log at Debug)
	Err                 error

	// Ledger is the process's stock-ledger appends since its last start, from its /metrics
	// (inventory processes only: HasLedger).
	Ledger    ledgerFigure
	HasLedger bool
	LedgerErr error
}

// logCounts tallies the records of one process's log, one JSON object a line; lines that are not
// JSON (a panic's trace, say) are skipped.
func logCounts(r io.Reader) (completed, failed, requests int, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		var rec struct {
			Msg string `json:"msg"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) != nil {
			continue
		}
		switch rec.Msg {
		case "activity completed":
			completed++
		case "activity failed":
			failed++
		case "http request":
			requests++
		}
	}
	return completed, failed, requests, sc.Err()
}

// processFigures reads logDir/<name>.log of each process (every start of a process appends to it).
func processFigures(names []string, starts map[string]int, logDir string) []processFigure {
	out := make([]processFigure, 0, len(names))
	for _, name := range names {
		p := processFigure{Name: name, Starts: starts[name]}
		f, err := os.Open(filepath.Join(logDir, name+".log"))
		if err == nil {
			p.ActivitiesCompleted, p.ActivitiesFailed, p.Requests, err = logCounts(f)
			_ = f.Close()
		}
		if err != nil {
			p.Err = fmt.Errorf("log of %s: %w", name, err)
		}
		out = append(out, p)
	}
	return out
}
