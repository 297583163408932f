// Command loadgen is an open-loop load generator for the running system (make run), with the Temporal
// dev server's ceiling measured beside it in the same run.
//
// Orders go out at a fixed arrival rate whether or not earlier ones have answered, and latency counts
// from each order's intended send time (no coordinated omission), into HDR histograms: POST → answer
// and POST → decision (a 202 is followed by polling the order until it is decided). A low-rate step
// gives the latency of a quiet system; step mode raises the rate until p99 of POST → decision passes
// -max-p99 or errors appear. The ceiling probe (package ceiling) runs the same schedule of no-op
// sagas shaped like the order saga's happy path, on workers inside this process, and every system
// figure is reported as a ratio to it. At the end the orders are checked: each must have an outcome,
// and no unit may be sold twice. Output: report.json and plot.svg in -out. Traffic goes to 127.0.0.1
// only, unless told otherwise, and the run stops by itself.
//
//	make run      # in another terminal
//	make load     # or: go run ./cmd/loadgen -mix spread
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/order-saga/shop/cmd/loadgen/ceiling"
)

// config is the command line.
type config struct {
	inventory, orders, temporal, namespace string
	mix                                    string
	products                               int
	stock, scarceStock                     int64
	lowRate                                float64
	lowFor                                 time.Duration
	plan                                   stepPlan
	system, ceiling, steps                 bool
	ceilingShape                           string
	orderTimeout, poll, settle, pause      time.Duration
	progress                               time.Duration
	out                                    string
	seed                                   uint64
}

func parseFlags() config {
	var c config
	flag.StringVar(&c.inventory, "inventory", "http://127.0.0.1:3000", "inventory service URL")
	flag.StringVar(&c.orders, "orders", "http://127.0.0.1:3002", "order service URL")
	flag.StringVar(&c.temporal, "temporal", "127.0.0.1:7233", "Temporal frontend of the ceiling probe (the system's own)")
	flag.StringVar(&c.namespace, "namespace", "default", "Temporal namespace of the ceiling probe")
	flag.StringVar(&c.mix, "mix", mixSpread, "orders: hot (one product) or spread (over -products)")
	flag.IntVar(&c.products, "products", 50, "products of the spread mix")
	flag.Int64Var(&c.stock, "stock", 1_000_000, "stock of each product")
	flag.Int64Var(&c.scarceStock, "scarce-stock", 10, "stock of the scarce product (2% of orders ask for it)")
	flag.Float64Var(&c.lowRate, "low-rate", 1, "rate of the low-rate step (orders/s)")
	flag.DurationVar(&c.lowFor, "low-for", 30*time.Second, "length of the low-rate step (0: none)")
	flag.Float64Var(&c.plan.start, "step-start", 2.5, "first rate of step mode (orders/s)")
	flag.Float64Var(&c.plan.inc, "step-inc", 2.5, "rate increment of step mode")
	flag.Float64Var(&c.plan.max, "step-max", 100, "highest rate of step mode")
	flag.DurationVar(&c.plan.d, "step-for", 20*time.Second, "length of each step")
	flag.DurationVar(&c.plan.maxP99, "max-p99", 2*time.Second, "p99 of POST → decision past which a step fails")
	flag.BoolVar(&c.steps, "steps", true, "run step mode after the low-rate step")
	flag.BoolVar(&c.system, "system", true, "load the system")
	flag.BoolVar(&c.ceiling, "ceiling", true, "measure the no-op ceiling on the same dev server")
	flag.StringVar(&c.ceilingShape, "ceiling-shape", ceiling.ShapeDirect, "the no-op saga's inventory steps: "+ceiling.ShapeDirect+
		" (local activities, as the saga's since v6) or "+ceiling.ShapeInventoryWorker+" (regular activities on another task queue, as before)")
	flag.DurationVar(&c.orderTimeout, "order-timeout", time.Minute, "an order undecided this long after its intended send is an error")
	flag.DurationVar(&c.poll, "poll", 100*time.Millisecond, "poll interval of an order answered 202")
	flag.DurationVar(&c.settle, "settle", 2*time.Minute, "how long the check waits for orders and stock to settle")
	flag.DurationVar(&c.pause, "pause", 10*time.Second, "quiet time between phases, for backlogs to drain")
	flag.DurationVar(&c.progress, "progress", 5*time.Second, "interval of progress lines")
	flag.StringVar(&c.out, "out", "", "folder of report.json and plot.svg (default .data/load/<timestamp>)")
	flag.Uint64Var(&c.seed, "seed", 1, "seed of the order mix")
	flag.Parse()
	return c
}

func main() {
	c := parseFlags()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ok, err := run(ctx, c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	if !ok {
		fmt.Fprintln(os.Stderr, "loadgen: correctness check failed (orders without an outcome, oversold or mismatched stock)")
		os.Exit(2)
	}
}

func run(ctx context.Context, c config) (bool, error) {
	started := time.Now()
	if c.out == "" {
		c.out = filepath.Join(".data", "load", started.Format("20060102-150405"))
	}
	rep := &report{Started: started, Config: c.describe()}
	rep.Machine.Cores, rep.Machine.OS = numCPU(), osName()
	st := &stepper{sched: realScheduler(), orderTimeout: c.orderTimeout, progress: c.progress, out: os.Stdout,
		procs: &processTable{proc: "/proc", self: os.Getpid(), kinds: systemProcesses}}
	ok := true
	if c.ceiling {
		if err := runCeiling(ctx, c, st, &rep.Ceiling); err != nil {
			return false, err
		}
		pause(ctx, c.pause)
	}
	if c.system {
		check, err := runSystem(ctx, c, st, &rep.System)
		if err != nil {
			return false, err
		}
		rep.Correctness = &check
		ok = check.ok()
	}
	rep.computeRatios()
	rep.summary(os.Stdout)
	if err := rep.write(c.out); err != nil {
		return false, err
	}
	fmt.Printf("report: %s/report.json, plot: %s/plot.svg\n", c.out, c.out)
	return ok, nil
}

// phases runs a target's low-rate step (then afterLow, if any), then its steps to the knee.
func phases(ctx context.Context, c config, st *stepper, t target, ph *phase, afterLow func()) {
	if c.lowFor > 0 {
		low := st.run(ctx, t, c.lowRate, c.lowFor)
		ph.Low = &low
		if afterLow != nil {
			afterLow()
		}
	}
	if c.steps && ctx.Err() == nil {
		ph.Steps, ph.Sustained = st.steps(ctx, t, c.plan)
	}
}

func pause(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func (c config) describe() map[string]any {
	return map[string]any{"inventory": c.inventory, "orders": c.orders, "temporal": c.temporal, "mix": c.mix,
		"products": c.products, "lowRate": c.lowRate, "lowFor": c.lowFor.String(), "stepStart": c.plan.start,
		"stepInc": c.plan.inc, "stepMax": c.plan.max, "stepFor": c.plan.d.String(), "maxP99": c.plan.maxP99.String(),
		"orderTimeout": c.orderTimeout.String(), "poll": c.poll.String(), "seed": c.seed, "ceilingShape": c.ceilingShape}
}
