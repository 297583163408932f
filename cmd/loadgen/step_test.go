package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func step(rate float64, sent, decided, errors int, p99 float64) stepResult {
	return stepResult{Rate: rate, Sent: sent, Decided: decided, Errors: errors, Decision: latencies{P99: p99}}
}

func TestStepFails(t *testing.T) {
	p := stepPlan{maxP99: 2 * time.Second}
	tests := []struct {
		name string
		r    stepResult
		want bool
	}{
		{"fast and complete", step(10, 200, 200, 0, 350), false},
		{"p99 at the limit passes", step(10, 200, 200, 0, 2000), false},
		{"p99 past the limit", step(10, 200, 200, 0, 2001), true},
		{"an error", step(10, 200, 199, 1, 300), true},
		{"an order undecided", step(10, 200, 199, 0, 300), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := p.failed(tt.r)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.want, why != "", "a failed step says why")
		})
	}
}

func TestSustainedIsTheLastRateBeforeTheFirstFailure(t *testing.T) {
	p := stepPlan{maxP99: 2 * time.Second}
	tests := []struct {
		name  string
		steps []stepResult
		want  float64
	}{
		{"none", nil, 0},
		{"the first fails", []stepResult{step(5, 100, 100, 0, 2500)}, 0},
		{"fails at 15", []stepResult{step(5, 100, 100, 0, 200), step(10, 200, 200, 0, 900), step(15, 300, 300, 0, 4000)}, 10},
		{"a later pass after a failure does not count", []stepResult{step(5, 100, 100, 0, 200), step(10, 200, 190, 10, 300), step(15, 300, 300, 0, 300)}, 5},
		{"all pass", []stepResult{step(5, 100, 100, 0, 200), step(10, 200, 200, 0, 300)}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.InDelta(t, tt.want, p.sustained(tt.steps), 1e-9)
		})
	}
}
