package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

// stepResult is one step's figures: the requests sent at one rate for one duration.
type stepResult struct {
	Target     string         `json:"target"`
	Rate       float64        `json:"rate"`
	Seconds    float64        `json:"seconds"`
	Sent       int            `json:"sent"`
	Answered   int            `json:"answered"`
	Decided    int            `json:"decided"`
	Errors     int            `json:"errors"`
	LastError  string         `json:"lastError,omitempty"`
	Statuses   map[string]int `json:"statuses"`
	Throughput float64        `json:"decidedPerSecond"` // decisions ÷ the time from the first send to the last decision
	Answer     latencies      `json:"postToAnswer"`
	Decision   latencies      `json:"postToDecision"`
	CPU        []processCPU   `json:"cpu,omitempty"`
}

// stepper runs steps of an open-loop schedule against a target.
type stepper struct {
	sched        scheduler
	orderTimeout time.Duration // a request undecided this long after its intended time counts as an error
	progress     time.Duration
	out          io.Writer
	procs        *processTable
	seq          int // requests sent so far in the run: each has a number of its own
}

func (s *stepper) run(ctx context.Context, t target, rate float64, d time.Duration) stepResult {
	rec := newRecorder()
	n := arrivals(rate, d)
	before := s.procs.sample()
	start := time.Now().Add(50 * time.Millisecond)
	stop := s.report(t.name(), rate, start, rec)
	base := s.seq
	s.seq += n
	s.sched.run(ctx, start, rate, n, func(i int, intended time.Time) {
		rec.noteSent()
		octx, cancel := context.WithDeadline(ctx, intended.Add(s.orderTimeout))
		defer cancel()
		rec.record(t.place(octx, base+i, intended, rec.noteAnswer))
	})
	elapsed := time.Since(start)
	stop()
	snap := rec.snapshot()
	decided := 0
	for _, v := range snap.statuses {
		decided += v
	}
	r := stepResult{Target: t.name(), Rate: rate, Seconds: d.Seconds(), Sent: snap.sent, Answered: snap.answered,
		Decided: decided, Errors: snap.errors, LastError: snap.lastErr, Statuses: snap.statuses,
		Throughput: float64(decided) / elapsed.Seconds(), Answer: snap.answer, Decision: snap.decision}
	r.CPU = s.procs.since(before, t.decidedForCPU(snap.statuses))
	fmt.Fprintf(s.out, "%-8s %5.1f/s done: %d sent, %d decided (%.1f/s), errors %d, POST→decision p50 %.0f ms p90 %.0f ms p99 %.0f ms max %.0f ms %v\n",
		t.name(), rate, r.Sent, r.Decided, r.Throughput, r.Errors, r.Decision.P50, r.Decision.P90, r.Decision.P99, r.Decision.Max, r.Statuses)
	if r.LastError != "" {
		fmt.Fprintf(s.out, "%-8s last error: %s\n", t.name(), r.LastError)
	}
	return r
}

// report prints a progress line every s.progress until the returned func is called.
func (s *stepper) report(label string, rate float64, start time.Time, rec *recorder) func() {
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(s.progress)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				fmt.Fprintln(s.out, progressLine(label, rate, time.Since(start), rec.snapshot()))
			}
		}
	}()
	return func() { close(done) }
}

// stepPlan is the step mode: rates from start by inc up to max, each for d, until a step fails.
type stepPlan struct {
	start, inc, max float64
	d               time.Duration
	maxP99          time.Duration // a step whose POST → decision p99 passes this is past the knee
}

// failed says whether a step is past what the target sustains, and why.
func (p stepPlan) failed(r stepResult) (bool, string) {
	switch {
	case r.Errors > 0:
		return true, fmt.Sprintf("%d errors", r.Errors)
	case r.Decided < r.Sent:
		return true, fmt.Sprintf("%d of %d undecided", r.Sent-r.Decided, r.Sent)
	case r.Decision.P99 > float64(p.maxP99.Milliseconds()):
		return true, fmt.Sprintf("p99 %.0f ms > %s", r.Decision.P99, p.maxP99)
	}
	return false, ""
}

// sustained is the highest rate of the steps before the first that failed (0 if the first did).
func (p stepPlan) sustained(rs []stepResult) float64 {
	best := 0.0
	for _, r := range rs {
		if bad, _ := p.failed(r); bad {
			break
		}
		best = r.Rate
	}
	return best
}

// steps raises the rate step by step until a step fails; it returns every step run and the highest
// rate sustained.
func (s *stepper) steps(ctx context.Context, t target, p stepPlan) ([]stepResult, float64) {
	var out []stepResult
	for rate := p.start; rate <= p.max+1e-9 && ctx.Err() == nil; rate += p.inc {
		r := s.run(ctx, t, rate, p.d)
		out = append(out, r)
		if bad, why := p.failed(r); bad {
			fmt.Fprintf(s.out, "%-8s knee: %.1f/s fails (%s); sustained %.1f/s\n", t.name(), rate, why, p.sustained(out))
			break
		}
	}
	return out, p.sustained(out)
}
