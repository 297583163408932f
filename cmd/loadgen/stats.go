package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Histograms hold microseconds from 1 µs to 10 minutes at 3 significant digits.
const (
	histMin    = 1
	histMax    = int64(10 * time.Minute / time.Microsecond)
	histDigits = 3
)

// outcome is what became of one request.
type outcome struct {
	answered bool          // an answer came (any HTTP status)
	decided  bool          // the order's outcome is known
	status   string        // the decision: CONFIRMED, REJECTED, FAILED, CANCELLED, NEEDS_ATTENTION
	answer   time.Duration // intended send → answer
	decision time.Duration // intended send → decision
	err      error
}

// recorder gathers one step's latencies and counts; requests record into it concurrently.
type recorder struct {
	mu       sync.Mutex
	answer   *hdrhistogram.Histogram
	decision *hdrhistogram.Histogram
	sent     int
	answered int
	done     int
	statuses map[string]int
	errors   int
	lastErr  string
}

func newRecorder() *recorder {
	return &recorder{
		answer:   hdrhistogram.New(histMin, histMax, histDigits),
		decision: hdrhistogram.New(histMin, histMax, histDigits),
		statuses: map[string]int{},
	}
}

func (r *recorder) noteSent() {
	r.mu.Lock()
	r.sent++
	r.mu.Unlock()
}

// noteAnswer counts an answer as it comes, for the progress line.
func (r *recorder) noteAnswer() {
	r.mu.Lock()
	r.answered++
	r.mu.Unlock()
}

func (r *recorder) record(o outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	if o.answered {
		_ = r.answer.RecordValue(clampMicros(o.answer)) // clamped: never out of range
	}
	if o.decided {
		_ = r.decision.RecordValue(clampMicros(o.decision))
		r.statuses[o.status]++
	}
	if o.err != nil {
		r.errors++
		r.lastErr = o.err.Error()
	}
}

func clampMicros(d time.Duration) int64 {
	return min(max(d.Microseconds(), histMin), histMax)
}

// latencies summarizes a histogram in milliseconds.
type latencies struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50Ms"`
	P90   float64 `json:"p90Ms"`
	P99   float64 `json:"p99Ms"`
	Max   float64 `json:"maxMs"`
}

func summarize(h *hdrhistogram.Histogram) latencies {
	ms := func(us int64) float64 { return float64(us) / 1000 }
	return latencies{Count: h.TotalCount(), P50: ms(h.ValueAtQuantile(50)), P90: ms(h.ValueAtQuantile(90)),
		P99: ms(h.ValueAtQuantile(99)), Max: ms(h.Max())}
}

// snapshot is the recorder's state so far.
type snapshot struct {
	sent, answered, done, errors int
	statuses                     map[string]int
	answer, decision             latencies
	lastErr                      string
}

func (r *recorder) snapshot() snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := make(map[string]int, len(r.statuses))
	for k, v := range r.statuses {
		st[k] = v
	}
	return snapshot{sent: r.sent, answered: r.answered, done: r.done, errors: r.errors, statuses: st,
		answer: summarize(r.answer), decision: summarize(r.decision), lastErr: r.lastErr}
}

// progressLine is what the generator prints every few seconds while a step runs.
func progressLine(label string, rate float64, elapsed time.Duration, s snapshot) string {
	return fmt.Sprintf("%-8s %5.1f/s %4.0fs  sent %d  answered %d  in flight %d  decided p50 %.0f ms p99 %.0f ms  errors %d",
		label, rate, elapsed.Seconds(), s.sent, s.answered, s.sent-s.done, s.decision.P50, s.decision.P99, s.errors)
}
