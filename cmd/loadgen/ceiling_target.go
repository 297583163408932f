package main

import (
	"context"
	"time"

	"github.com/order-saga/shop/cmd/loadgen/ceiling"
)

// ceilingTarget loads the ceiling probe: its answer is its decision, as a POST answered 201 is.
type ceilingTarget struct{ p *ceiling.Probe }

func (ceilingTarget) name() string { return "ceiling" }

func (ceilingTarget) decidedForCPU(statuses map[string]int) int { return statuses["CONFIRMED"] }

func (t ceilingTarget) place(ctx context.Context, seq int, intended time.Time, answered func()) outcome {
	status, err := t.p.Place(ctx, seq)
	at := sinceIntended(intended, time.Now())
	if err != nil {
		return outcome{err: err}
	}
	answered()
	return outcome{answered: true, decided: true, status: status, answer: at, decision: at}
}
