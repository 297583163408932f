package main

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeClock is a clock that a late sleep moves on by more than asked.
type fakeClock struct {
	mu   sync.Mutex
	t    time.Time
	late time.Duration // every sleep oversleeps by this much
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d + c.late)
	return nil
}

func TestSchedulerFiresAtIntendedTimesWhateverTheSenderDoes(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		rate float64
		n    int
		late time.Duration
		want []time.Duration // intended offsets from start
	}{
		{"on time, 4/s", 4, 4, 0, []time.Duration{0, 250 * time.Millisecond, 500 * time.Millisecond, 750 * time.Millisecond}},
		{"a sender that oversleeps keeps the schedule", 2, 3, 300 * time.Millisecond, []time.Duration{0, 500 * time.Millisecond, time.Second}},
		{"fractional rate", 0.5, 2, 0, []time.Duration{0, 2 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{t: start, late: tt.late}
			s := scheduler{now: clock.now, sleep: clock.sleep}
			var mu sync.Mutex
			got := make([]time.Duration, tt.n)
			s.run(context.Background(), start, tt.rate, tt.n, func(i int, intended time.Time) {
				mu.Lock()
				defer mu.Unlock()
				got[i] = intended.Sub(start)
			})
			require.Equal(t, tt.want, got)
		})
	}
}

func TestLatencyCountsFromTheIntendedTimeSoALateSendIsNotHidden(t *testing.T) {
	intended := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name           string
		sentLate, took time.Duration
		want           time.Duration
	}{
		{"sent on time", 0, 80 * time.Millisecond, 80 * time.Millisecond},
		{"sent 300 ms late", 300 * time.Millisecond, 80 * time.Millisecond, 380 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answered := intended.Add(tt.sentLate).Add(tt.took)
			require.Equal(t, tt.want, sinceIntended(intended, answered))
		})
	}
}

func TestArrivals(t *testing.T) {
	tests := []struct {
		rate float64
		d    time.Duration
		want int
	}{
		{1, 30 * time.Second, 30},
		{5, 20 * time.Second, 100},
		{0.5, 3 * time.Second, 1},
		{7.5, 2 * time.Second, 15},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, arrivals(tt.rate, tt.d), "rate %v for %s", tt.rate, tt.d)
	}
}

func TestSchedulerStopsSendingWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := &fakeClock{t: start}
	fired := 0
	s := scheduler{now: clock.now, sleep: func(ctx context.Context, d time.Duration) error {
		cancel() // the run is interrupted while waiting for the second send
		return ctx.Err()
	}}
	s.run(ctx, start, 1, 10, func(int, time.Time) { fired++ })
	require.Equal(t, 1, fired)
}
