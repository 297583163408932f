// Command faultsuite is the fault suite (`make test-faults`): it brings up a stack of its own
// (Temporal dev server, FerretDB, RabbitMQ on free ports, data under -dir) and the shop's services as
// child processes, places orders from many clients while it kills every service with SIGKILL,
// restarts each server and keeps the broker away longer than any saga step's timeout, and then checks
// that nothing was lost: every accepted order terminal (parked ones retried by an operator), stock
// adding up per product with nothing reserved, each order's net effect on the stock ledger matching
// its status, every order's final event on the exchange. It prints
// the figures and exits 1 if an invariant broke, 2 if it could not run. Traffic goes to 127.0.0.1
// only, and it stops by itself (-timeout).
//
//	scripts/faults.sh            # builds it and bin/shop, runs it, stops the private stack whatever happens
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"
)

type options struct {
	root, dir, shop  string
	clients          int
	replicas         int
	logLevel         string
	seed             uint64
	warmup, gap      time.Duration
	outage, tail     time.Duration
	finish, settle   time.Duration
	operatorRetries  int
	timeout          time.Duration
	passThroughNames []string
}

func main() {
	var o options
	flag.StringVar(&o.root, "root", ".", "repository root (for scripts/stack.sh)")
	flag.StringVar(&o.dir, "dir", "", "data directory of the private stack (logs end up in <dir>/logs)")
	flag.StringVar(&o.shop, "shop", "", "the shop binary to run the services with")
	flag.IntVar(&o.clients, "clients", 16, "concurrent clients placing orders")
	flag.IntVar(&o.replicas, "replicas", 1, "processes of each of inventory and orders (each its own port, all on the role's task queue)")
	flag.StringVar(&o.logLevel, "log-level", "warn", "LOG_LEVEL of the services (debug logs every activity and request: the report then counts them per process)")
	flag.Uint64Var(&o.seed, "seed", 0, "seed of the order mix (0: a new one, printed)")
	flag.DurationVar(&o.warmup, "warmup", 8*time.Second, "load before the first fault")
	flag.DurationVar(&o.gap, "gap", 8*time.Second, "load between faults")
	flag.DurationVar(&o.outage, "outage", 50*time.Second, "how long the broker stays away (must exceed the longest step timeout)")
	flag.DurationVar(&o.tail, "tail", 10*time.Second, "load after the last fault")
	flag.DurationVar(&o.finish, "finish", 60*time.Second, "bound for clients to get a definite answer once new orders stop")
	flag.DurationVar(&o.settle, "settle", 180*time.Second, "bound for every order to end (operator retries included)")
	flag.IntVar(&o.operatorRetries, "operator-retries", 1, "operator retries per parked order")
	flag.DurationVar(&o.timeout, "timeout", 9*time.Minute, "hard stop of the whole run")
	flag.Parse()
	// The saga's tuning may be overridden for an experiment; the suite's own addresses may not.
	o.passThroughNames = []string{"STEP_MAX_ATTEMPTS", "ORDER_DECISION_WAIT", "PAYMENT_TIMEOUT", "PARK_DEADLINE"}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, o, os.Stdout)
	stop()
	os.Exit(code)
}

// run returns the exit code: 0 passed, 1 an invariant broke, 2 the suite could not run.
func run(ctx context.Context, o options, out io.Writer) int {
	logf := func(format string, args ...any) {
		fmt.Fprintf(out, "faultsuite: "+format+"\n", args...)
	}
	if o.dir == "" || o.shop == "" {
		logf("-dir and -shop are required")
		return 2
	}
	if o.replicas < 1 {
		logf("-replicas must be at least 1")
		return 2
	}
	if o.outage <= longestStepTimeout {
		logf("-outage %s must exceed the longest step timeout %s", o.outage, longestStepTimeout)
		return 2
	}
	if o.seed == 0 {
		o.seed = uint64(time.Now().UnixNano())
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	began := time.Now()

	st, err := newPrivateStack(o.root, o.dir)
	if err != nil {
		logf("%v", err)
		return 2
	}
	defer func() {
		if err := st.down(); err != nil {
			logf("stopping the private stack: %v", err)
		}
	}()
	logf("starting a private stack in %s: temporal %s, mongo %s, rabbitmq %s", o.dir, st.temporal, st.mongo, st.amqp)
	if err := st.up(ctx); err != nil {
		logf("%v", err)
		return 2
	}

	svcs, api, err := startServices(ctx, o, st)
	if svcs != nil {
		defer svcs.stopAll(20 * time.Second)
	}
	if err != nil {
		logf("%v", err)
		return 2
	}
	if err := declareTap(ctx, st.amqp); err != nil {
		logf("%v", err)
		return 2
	}
	run := runID()
	products := catalogue(run)
	for _, p := range products {
		if err := api.createProduct(ctx, p); err != nil {
			logf("%v", err)
			return 2
		}
	}
	logf("services ready after %s; run %s, seed %d, %d clients, inventory and orders x%d; logs in %s",
		time.Since(began).Round(100*time.Millisecond), run, o.seed, o.clients, o.replicas, filepath.Join(o.dir, "logs"))

	// Load and faults at once; new orders stop tail after the last fault.
	loadStart := time.Now()
	clientsCtx, stopClients := context.WithCancel(ctx)
	defer stopClients()
	stopNew := make(chan struct{})
	var sent atomic.Int64
	loaded := make(chan *loadResult, 1)
	go func() {
		loaded <- runLoad(clientsCtx, api, o.clients, o.seed, planner(run, products), stopNew, stopNew, &sent)
	}()
	injected := injectFaults(ctx, loadStart, faultPlan(st, svcs, o.outage, faultRand(o.seed)), o.warmup, o.gap, func(in injection) {
		state := "done"
		if in.Err != nil {
			state = "FAILED: " + in.Err.Error()
		}
		logf("+%5.1fs %s: %s in %.1fs (orders sent so far: %d)", in.At.Seconds(), in.Name, state, in.Took.Seconds(), sent.Load())
	})
	select {
	case <-time.After(o.tail):
	case <-ctx.Done():
	}
	close(stopNew)
	loadTime := time.Since(loadStart)
	logf("+%5.1fs new orders stopped after %d; waiting up to %s for the clients' answers", time.Since(loadStart).Seconds(), sent.Load(), o.finish)
	finishTimer := time.AfterFunc(o.finish, stopClients)
	load := <-loaded
	finishTimer.Stop()

	settleCtx, stopSettle := context.WithTimeout(ctx, o.settle)
	defer stopSettle()
	logf("+%5.1fs clients done; following every order to its end (up to %s, %d operator retries per parked order)",
		time.Since(loadStart).Seconds(), o.settle, o.operatorRetries)
	views := settle(settleCtx, api, load.all(), o.operatorRetries, time.Now)
	logf("+%5.1fs settled; reading orders, stock and events", time.Since(loadStart).Seconds())

	// The final reads get a bound of their own: they must happen even when settling used its all.
	readCtx, stopRead := context.WithTimeout(context.Background(), 60*time.Second)
	defer stopRead()
	stored, err := api.listOrders(readCtx)
	if err != nil {
		logf("%v", err)
		return 2
	}
	stock := map[string]stockLevel{}
	ledgers := map[string][]movement{}
	for _, p := range products {
		if stock[p.Code], err = api.stock(readCtx, p.Code); err != nil {
			logf("%v", err)
			return 2
		}
		if ledgers[p.Code], err = api.movements(readCtx, p.Code); err != nil {
			logf("%v", err)
			return 2
		}
	}
	events, err := drainTap(readCtx, st.amqp, 3*time.Second)
	if err != nil {
		logf("%v", err)
		return 2
	}

	f := tally(load.all(), views, stored, products, stock, ledgers, events)
	f.LoadTime = loadTime
	violations := f.violations(injected)
	procs := processFigures(svcs.names(), svcs.startCount(), filepath.Join(o.dir, "logs"))
	addLedgerFigures(readCtx, api.http, svcs, procs)
	printReport(out, f, injected, svcs.crashCount(), procs, o.clients, time.Since(began), violations)
	if len(violations) > 0 {
		return 1
	}
	return 0
}

// startServices starts payments and -replicas processes each of inventory and orders on free ports
// against the private stack and waits until each is ready.
func startServices(ctx context.Context, o options, st *privateStack) (*services, shopAPI, error) {
	ports, err := freePorts(portsNeeded(o.replicas))
	if err != nil {
		return nil, shopAPI{}, err
	}
	specs, err := layout(o.replicas, ports)
	if err != nil {
		return nil, shopAPI{}, err
	}
	payments := urlsOf(specs, ofRole(specs, rolePayments))[0]
	// Every order process makes its first attempt at reserve and commit on the first inventory
	// replica; while that one is killed, the steps fall back to the inventory's worker (any replica).
	inventory := urlsOf(specs, ofRole(specs, roleInventory))[0]
	token, stockToken := runID()+runID(), runID()+runID()
	// Only what the services need: nothing inherited may point them at the shared stack. Each
	// process adds its own listen address (services.start).
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()}
	for _, name := range o.passThroughNames {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	env = append(env,
		"MONGO_URI="+st.mongo, "TEMPORAL_ADDRESS="+st.temporal, "RABBITMQ_URL="+st.amqp,
		"PAYMENTS_URL="+payments, "ADMIN_TOKEN="+token, "LOG_LEVEL="+o.logLevel,
		"INVENTORY_URL="+inventory, "STOCK_API_TOKEN="+stockToken)

	svcs := newServices(o.shop, env, filepath.Join(o.dir, "logs"), specs)
	for _, s := range specs {
		if err := svcs.start(s.Name); err != nil {
			return svcs, shopAPI{}, err
		}
	}
	readyCtx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	for _, s := range specs {
		if err := svcs.waitReady(readyCtx, s.Name); err != nil {
			return svcs, shopAPI{}, fmt.Errorf("%w (see %s)", err, filepath.Join(o.dir, "logs", s.Name+".log"))
		}
	}
	api := newShopAPI(urlsOf(specs, ofRole(specs, roleInventory)), urlsOf(specs, ofRole(specs, roleOrders)), token, newHTTPClient(30*time.Second))
	return svcs, api, nil
}

// runID is a short random name for this run's products and keys.
func runID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
