package main

import (
	"context"
	"time"
)

// target is what the generator loads: the running system, or the ceiling probe's no-op sagas.
type target interface {
	// name labels the target's figures.
	name() string
	// place sends the request numbered seq in the run, meant to go out at intended, and reports what became of it;
	// answered is called when the first answer arrives.
	place(ctx context.Context, seq int, intended time.Time, answered func()) outcome
	// decidedForCPU is how many of a step's decisions its CPU time is divided by: confirmed orders
	// for the system, workflows for the ceiling.
	decidedForCPU(statuses map[string]int) int
}

// Decisions of an order: its outcome is known.
var decisions = map[string]bool{"CONFIRMED": true, "COMPLETED": true, "REJECTED": true, "FAILED": true,
	"CANCELLED": true, "NEEDS_ATTENTION": true}
