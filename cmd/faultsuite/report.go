package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// printReport writes the figures and the verdict.
func printReport(w io.Writer, f figures, faults []injection, crashes map[string]int, procs []processFigure, clients int, elapsed time.Duration, violations []string) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("")
	p("== fault suite: figures ==")
	p("clients                 %d", clients)
	p("faults injected         %d", len(faults))
	for _, in := range faults {
		state := "ok"
		if in.Err != nil {
			state = "FAILED: " + in.Err.Error()
		}
		p("  +%6.1fs  %-62s took %5.1fs  %s", in.At.Seconds(), in.Name, in.Took.Seconds(), state)
	}
	p("unexpected exits        %s (restarted by the supervisor)", countList(crashes))
	p("processes               %-14s %6s %11s %7s %9s %s", "name", "starts", "activities", "failed", "requests", "ledger appends since the last start (inserts retried: lost the race for a sequence number)")
	for _, pr := range procs {
		ledger := "-"
		switch {
		case pr.LedgerErr != nil:
			ledger = pr.LedgerErr.Error()
		case pr.HasLedger:
			ledger = fmt.Sprintf("%d (%d retried)", pr.Ledger.Appends, pr.Ledger.Retries())
		}
		if pr.Err != nil {
			p("                        %-14s %6d  %v; %s", pr.Name, pr.Starts, pr.Err, ledger)
			continue
		}
		p("                        %-14s %6d %11d %7d %9d %s", pr.Name, pr.Starts, pr.ActivitiesCompleted, pr.ActivitiesFailed, pr.Requests, ledger)
	}
	if !slices.ContainsFunc(procs, func(pr processFigure) bool { return pr.Err != nil || pr.ActivitiesCompleted+pr.Requests > 0 }) {
		p("                        (no completed activity or request in the logs: the services logged above debug; -log-level debug counts them)")
	}
	p("orders sent             %d in %.0fs, %.1f/s (one Idempotency-Key each; %d POSTs, so %d retried POSTs; %d polls)",
		f.Sent, f.LoadTime.Seconds(), float64(f.Sent)/max(f.LoadTime.Seconds(), 1), f.Posts, f.Posts-f.Sent, f.Polls)
	p("definite answers        %s", answerList(f.Answers))
	p("accepted (order id)     %d", f.Accepted)
	p("outcomes                %s", countList(f.Outcomes))
	p("parked, retried         %d parked after the load; %d operator retries; %d ended after a retry", f.Parked, f.OperatorRetries, f.EndedAfterRetry)
	p("stock                   %-28s %8s %9s %8s %7s %8s %9s", "product", "initial", "committed", "expected", "onHand", "reserved", "available")
	for _, s := range f.Products {
		p("                        %-28s %8d %9d %8d %7d %8d %9d", s.Code, s.Initial, s.Committed, s.Expected(), s.OnHand, s.Reserved, s.Available)
	}
	p("ledger mismatches       %d (orders whose net ledger effect disagrees with their status)", len(f.LedgerMismatches))
	p("oversold units          %d", f.Oversold())
	p("orders lost             %d", len(f.Lost))
	p("orders not terminal     %d", len(f.NotTerminal))
	p("unanswered POSTs        %d", f.Unanswered)
	p("orders no client knows  %d", len(f.Unknown))
	p("events                  %d messages, %d distinct ids, %d duplicates, %d unreadable", f.EventMessages, f.EventsDistinct, f.EventDuplicates, f.EventsUnreadable)
	p("events missing          %d", len(f.EventsMissing))
	p("elapsed                 %s", elapsed.Round(time.Second))
	if len(violations) == 0 {
		p("RESULT: PASS")
		return
	}
	p("RESULT: FAIL (%d invariants broken)", len(violations))
	for _, v := range violations {
		p("  - %s", v)
	}
}

func countList[K comparable](m map[K]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := slices.SortedFunc(maps.Keys(m), func(a, b K) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%v=%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

func answerList(m map[int]int) string {
	named := make(map[string]int, len(m))
	for code, n := range m {
		if code == 0 {
			named["none"] += n
		} else {
			named[fmt.Sprint(code)] += n
		}
	}
	return countList(named)
}
