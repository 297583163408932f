package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"

	"github.com/order-saga/shop/cmd/loadgen/ceiling"
)

func numCPU() int    { return runtime.NumCPU() }
func osName() string { return runtime.GOOS + "/" + runtime.GOARCH }

// runCeiling measures the no-op saga's ceiling on the dev server, with workers in this process.
func runCeiling(ctx context.Context, c config, st *stepper, ph *phase) error {
	tc, err := dialTemporal(ctx, c)
	if err != nil {
		return fmt.Errorf("dial Temporal for the ceiling probe: %w", err)
	}
	defer tc.Close()
	p, err := ceiling.Start(tc, strconv.FormatInt(time.Now().UnixNano(), 36), c.ceilingShape)
	if err != nil {
		return err
	}
	defer p.Stop()
	phases(ctx, c, st, ceilingTarget{p}, ph, nil)
	return nil
}

// dialTemporal connects to the system's Temporal frontend, logging only its warnings.
func dialTemporal(ctx context.Context, c config) (client.Client, error) {
	return client.DialContext(ctx, client.Options{HostPort: c.temporal, Namespace: c.namespace,
		Logger: log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))})
}

// runSystem stocks the products, loads the system, and checks the orders once they settled.
func runSystem(ctx context.Context, c config, st *stepper, ph *phase) (correctness, error) {
	m, err := newMix(c.mix, c.products, c.seed)
	if err != nil {
		return correctness{}, err
	}
	shop := newShopClient(c.inventory, c.orders)
	prefix := "LOAD-" + strconv.FormatInt(time.Now().Unix(), 36)
	t := &shopTarget{c: shop, mix: m, poll: c.poll, scarce: prefix + "-SCARCE"}
	stocked := []stockedProduct{{Code: t.scarce, Initial: c.scarceStock}}
	for i := range m.products {
		t.products = append(t.products, fmt.Sprintf("%s-%03d", prefix, i))
		stocked = append(stocked, stockedProduct{Code: t.products[i], Initial: c.stock})
	}
	for _, p := range stocked {
		if err := shop.createProduct(ctx, p.Code, p.Initial); err != nil {
			return correctness{}, fmt.Errorf("stock the run's products (is `make run` up?): %w", err)
		}
	}
	var lowOrders []string
	phases(ctx, c, st, t, ph, func() {
		placed, _ := t.placedOrders()
		for _, o := range placed {
			lowOrders = append(lowOrders, o.id)
		}
	})
	if len(lowOrders) > 0 {
		ph.Timeline = lowTimeline(context.WithoutCancel(ctx), c, lowOrders)
	}
	orders, unplaced := t.placedOrders()
	fmt.Fprintf(os.Stdout, "checking %d orders and %d products once they settle (up to %s)\n", len(orders), len(stocked), c.settle)
	return verify(context.WithoutCancel(ctx), shop, stocked, orders, unplaced, c.settle, os.Stdout), nil
}

// lowTimeline reads the low-rate orders' saga timeline; nil (and a line saying why) when Temporal
// cannot be read: the run's other figures stand without it.
func lowTimeline(ctx context.Context, c config, orderIDs []string) *sagaTimeline {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	tc, err := dialTemporal(ctx, c)
	if err == nil {
		defer tc.Close()
		var t sagaTimeline
		if t, err = readTimeline(ctx, tc, orderIDs); err == nil {
			return &t
		}
	}
	fmt.Fprintf(os.Stdout, "no saga timeline: %v\n", err)
	return nil
}
