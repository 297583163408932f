package main

import (
	"context"
	"math"
	"sync"
	"time"
)

// intendedAt is when the i-th request of an open-loop schedule at rate per second is meant to go out.
// Latency is measured from this time, not from when the request actually left: a sender that falls
// behind (a stalled scheduler, a full connection pool) then shows up in the latency instead of hiding
// it (no coordinated omission).
func intendedAt(start time.Time, rate float64, i int) time.Time {
	return start.Add(time.Duration(float64(i) * float64(time.Second) / rate))
}

// arrivals is how many requests a schedule at rate per second sends in d.
func arrivals(rate float64, d time.Duration) int {
	return int(math.Floor(rate*d.Seconds() + 1e-9))
}

// sinceIntended is a request's latency: from its intended send time to at.
func sinceIntended(intended, at time.Time) time.Duration {
	return at.Sub(intended)
}

// scheduler fires requests at fixed intended times whether or not earlier ones have answered.
type scheduler struct {
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

func realScheduler() scheduler {
	return scheduler{now: time.Now, sleep: func(ctx context.Context, d time.Duration) error {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		}
	}}
}

// run fires n requests, the i-th at intendedAt(start, rate, i), each in a goroutine of its own, and
// returns once all of them have returned. A request whose time has passed already goes out at once.
// It stops sending when ctx ends.
func (s scheduler) run(ctx context.Context, start time.Time, rate float64, n int, fire func(i int, intended time.Time)) {
	var wg sync.WaitGroup
	for i := range n {
		t := intendedAt(start, rate, i)
		if d := t.Sub(s.now()); d > 0 {
			if s.sleep(ctx, d) != nil {
				break
			}
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fire(i, t)
		}()
	}
	wg.Wait()
}
