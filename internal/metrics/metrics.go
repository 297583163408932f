// Package metrics holds what the services' Prometheus metrics share: registering a collector that a
// second component of the same process may already have registered, and keeping a gauge current from
// a periodic count (parked orders, queue depths) rather than from increments that a restart or a
// second replica would get wrong.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Register registers c on reg and returns it, or returns the collector already registered under the
// same descriptors (a second worker or consumer of one process shares the first one's series). A nil
// reg registers nothing: c still counts, unseen.
func Register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if reg == nil {
		return c, nil
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			return c, fmt.Errorf("register metrics: %w", err)
		}
		existing, ok := are.ExistingCollector.(C)
		if !ok {
			return c, fmt.Errorf("register metrics: a collector of another type holds the name: %w", err)
		}
		return existing, nil
	}
	return c, nil
}

// MustRegister is Register for collectors whose descriptors are fixed in code, where a clash is a
// programming error.
func MustRegister[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	c, err := Register(reg, c)
	if err != nil {
		panic(err)
	}
	return c
}

// Poll sets g to what count answers, at once and then every interval, until ctx ends. While count
// fails the gauge keeps its last value and the failure is logged once (and its end once), not at
// every tick. Each count gets at most one interval.
func Poll(ctx context.Context, interval time.Duration, g prometheus.Gauge, count func(context.Context) (float64, error), log *slog.Logger) {
	failing := false
	tick := func() {
		cctx, cancel := context.WithTimeout(ctx, interval)
		defer cancel()
		v, err := count(cctx)
		switch {
		case err != nil && ctx.Err() != nil:
			return // shutting down
		case err != nil:
			if !failing {
				log.WarnContext(ctx, "metric not refreshed; it keeps its last value", "error", err)
			}
			failing = true
			return
		case failing:
			log.InfoContext(ctx, "metric refreshed again")
			failing = false
		}
		g.Set(v)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		tick()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
