// Command shop runs the services of the order-saga system. One binary, one subcommand per process:
//
//	shop inventory   inventory HTTP API on :3000 and its worker on task queue "inventory"
//	shop orders      order HTTP API on :3002 and its worker on task queue "orders"
//	shop payments    the payment sandbox on :3004
//	shop projector   the search read model's consumer, ops endpoints on :3006
//	shop ctl ...     operator commands against the order service's admin API
//
// Configuration comes from environment variables (see the README's table); flags only choose which
// parts of a service run in this process: -api=false runs the worker alone and -worker=false the API
// alone, each still serving /healthz, /readyz and /metrics on the service's address.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/order-saga/shop/internal/config"
	"github.com/order-saga/shop/internal/logging"
)

const usage = `usage: shop <command> [flags]

commands:
  inventory   run the inventory service (HTTP API and worker)
  orders      run the order service (HTTP API and worker)
  payments    run the payment sandbox (a stand-in payment provider on :3004)
  projector   keep the Elasticsearch read model (products, orders) from the events
  reindex     rebuild the Elasticsearch indices from MongoDB (alias swap, no downtime)
  ctl         operator commands: parked orders, show, retry, compensate, cancel

Run "shop <command> -h" for the flags of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, args := args[0], args[1:]
	if cmd == "ctl" {
		return runCtl(ctx, args, stdout, stderr)
	}

	cfg, err := config.Load()
	if err != nil {
		return err
	}

	switch cmd {
	case "inventory", "orders":
		fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
		fs.SetOutput(stderr)
		roles := roles{}
		fs.BoolVar(&roles.api, "api", true, "serve the HTTP API")
		fs.BoolVar(&roles.worker, "worker", true, "run the Temporal worker")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if !roles.api && !roles.worker {
			fs.Usage()
			return fmt.Errorf("%s: -api=false and -worker=false leave nothing to run", cmd)
		}
		p, closeLogs, err := newProcess(cfg, stdout, cmd)
		defer closeLogs()
		if err != nil {
			return err
		}
		servePprof(ctx, cfg.PprofAddr, p.log)
		stopTracing, err := startTracing(ctx, p, cmd)
		defer stopTracing()
		if err != nil {
			return err
		}
		if cmd == "inventory" {
			return runInventory(ctx, cfg, roles, p)
		}
		return runOrders(ctx, cfg, roles, p)
	case "payments", "projector":
		p, closeLogs, err := newProcess(cfg, stdout, cmd)
		defer closeLogs()
		if err != nil {
			return err
		}
		servePprof(ctx, cfg.PprofAddr, p.log)
		stopTracing, err := startTracing(ctx, p, cmd)
		defer stopTracing()
		if err != nil {
			return err
		}
		if cmd == "payments" {
			return runPayments(ctx, cfg, p)
		}
		return runProjector(ctx, cfg, p)
	case "reindex":
		return runReindex(ctx, cfg, args, stdout, logging.New(stderr, cmd, cfg.LogLevel))
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}
