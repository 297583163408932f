package main

import (
	"context"
	"time"

	"go.temporal.io/sdk/worker"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/api/ordersapi"
	"github.com/order-saga/shop/internal/config"
	"github.com/order-saga/shop/internal/elasticsearch"
	"github.com/order-saga/shop/internal/inventoryclient"
	"github.com/order-saga/shop/internal/metrics"
	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/internal/paymentsclient"
	"github.com/order-saga/shop/internal/rabbitmq"
	"github.com/order-saga/shop/internal/temporal"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/workers"
	"github.com/order-saga/shop/workflows"
)

// inventoryCallTimeout bounds one call to the inventory's API, inside the 5 s StartToClose of the
// saga's local attempt, so the attempt ends by the client's timeout and falls back cleanly.
const inventoryCallTimeout = 4 * time.Second

// runOrders runs the order service: its HTTP API and its worker (the saga, the order bookkeeping and
// the payment activities), both doors to the same order use cases.
func runOrders(ctx context.Context, cfg config.Config, r roles, p process) error {
	log := p.log
	d, err := connect(ctx, cfg, p)
	if err != nil {
		return err
	}
	defer d.close(log)

	flow, err := metrics.NewOrders(d.registry)
	if err != nil {
		return err
	}
	db := d.mongo.Database(cfg.OrdersDB)
	store := mongodb.NewOrders(db)
	var search orders.Searcher = orders.StoreSearch{Store: store}
	if d.search != nil {
		search = fallbackSearch[orders.Query, orders.Order]{
			primary: elasticsearch.NewOrders(d.search, cfg.SearchIndexPrefix+elasticsearch.OrdersAlias), fallback: search, log: log,
		}
	}
	sagas := temporal.Sagas{Client: d.temporal, TaskQueue: cfg.OrdersTaskQueue, InventoryTaskQueue: cfg.InventoryTaskQueue,
		Policy: workflows.StepPolicy{MaxAttempts: cfg.StepMaxAttempts, StepTimeout: cfg.StepTimeout, ParkDeadline: cfg.ParkDeadline}}
	svc := orders.NewService(orders.Ports{
		Sagas:   sagas,
		Store:   store,
		Metrics: flow,
		Keys:    mongodb.NewIdempotencyKeys(db),
		Search:  search,
		Events:  rabbitmq.Events{Publisher: d.publisher},
		// What the API reads of a running saga beyond its stored order: its live steps.
		Progress: temporal.Progress{Client: d.temporal, Log: log},
	}, orders.Config{DecisionWait: cfg.OrderDecisionWait, KeyLifetime: cfg.IdempotencyKeyLifetime, Now: time.Now})
	// Parked orders are counted, not tracked: every replica reports the same figure, right after a
	// restart too (dashboards and alerts take the max over replicas).
	pollCtx, stopPoll := context.WithCancel(ctx)
	defer stopPoll()
	go metrics.Poll(pollCtx, cfg.MetricsPollInterval, flow.Parked, func(ctx context.Context) (float64, error) {
		n, err := sagas.CountParked(ctx)
		return float64(n), err
	}, log.With("metric", "orders_parked"))

	// The ops endpoints are served whichever roles run, so a worker-only process can be probed and scraped.
	router := newRouter("orders", log, d.registry, d.checks()...)
	if r.api {
		ordersapi.Mount(router, svc, log)
		ordersapi.MountAdmin(router, svc, cfg.AdminToken, log)
	}
	var w worker.Worker
	if r.worker {
		if cfg.StockAPIToken == "" {
			log.Warn("STOCK_API_TOKEN is empty: the inventory refuses the saga's first attempts at reserve and commit, so every such step runs on the inventory's worker")
		}
		w = workers.Orders(d.temporal, cfg.OrdersTaskQueue, &activities.Orders{Recorder: svc},
			&activities.Payments{Gateway: paymentsclient.New(cfg.PaymentsURL, cfg.PaymentTimeout, log)},
			&activities.Inventory{Stock: inventoryclient.New(cfg.InventoryURL, cfg.StockAPIToken, inventoryCallTimeout, log)},
			workers.WithLogger(log), workers.WithMetrics(d.registry))
	}
	return serve(ctx, log, cfg.OrdersAddr, router, ordersTimeouts(cfg), w, cfg.ShutdownTimeout)
}
