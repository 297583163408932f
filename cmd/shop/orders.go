package main

import (
	"context"
	"net/http"
	"time"

	"github.com/order-saga/shop/internal/elasticsearch"
	"github.com/order-saga/shop/orders"

	"go.temporal.io/sdk/worker"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/api/ordersapi"
	"github.com/order-saga/shop/internal/config"
	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/internal/paymentsclient"
	"github.com/order-saga/shop/internal/rabbitmq"
	"github.com/order-saga/shop/internal/temporal"
	"github.com/order-saga/shop/workers"
	"github.com/order-saga/shop/workflows"
)

// runOrders runs the order service: its HTTP API and its worker (the saga, the order bookkeeping and
// the payment activities).
func runOrders(ctx context.Context, cfg config.Config, r roles, p process) error {
	log := p.log
	d, err := connect(ctx, cfg, p)
	if err != nil {
		return err
	}
	defer d.close(log)

	store := mongodb.NewOrders(d.mongo.Database(cfg.OrdersDB))
	var handler http.Handler
	if r.api {
		// What the API reads: the stored orders, those with a step running with its attempts and last
		// failure from Temporal.
		progress := temporal.Progress{Client: d.temporal, Log: log}
		store := temporal.LiveOrders{Store: store, Progress: progress}
		router := newRouter("orders", log, d.registry, d.checks()...)
		sagas := temporal.Sagas{Client: d.temporal, TaskQueue: cfg.OrdersTaskQueue, InventoryTaskQueue: cfg.InventoryTaskQueue,
			Policy: workflows.StepPolicy{MaxAttempts: cfg.StepMaxAttempts, ParkDeadline: cfg.ParkDeadline}}
		keys := orders.IdempotencyKeys{Store: mongodb.NewIdempotencyKeys(d.mongo.Database(cfg.OrdersDB)),
			Lifetime: cfg.IdempotencyKeyLifetime, Now: time.Now}
		ordersapi.Mount(router, sagas, store, ordersapi.Config{DecisionWait: cfg.OrderDecisionWait, Now: time.Now, Keys: keys}, log)
		var search orders.Searcher = orders.StoreSearch{Store: store}
		if d.search != nil {
			search = fallbackSearch[orders.Query, orders.Order]{
				primary: elasticsearch.NewOrders(d.search, cfg.SearchIndexPrefix+elasticsearch.OrdersAlias), fallback: search, log: log,
			}
			search = temporal.LiveSearch{Searcher: search, Progress: progress}
		}
		ordersapi.MountAdmin(router, sagas, sagas, store, search, cfg.AdminToken, log)
		handler = router
	}
	var w worker.Worker
	if r.worker {
		w = workers.Orders(d.temporal, cfg.OrdersTaskQueue,
			&activities.Orders{Store: store, Events: rabbitmq.Events{Publisher: d.publisher}},
			&activities.Payments{Gateway: paymentsclient.New(cfg.PaymentsURL, cfg.PaymentTimeout, log)},
			workers.WithLogger(log))
	}
	return serve(ctx, log, cfg.OrdersAddr, handler, ordersTimeouts(cfg), w, cfg.ShutdownTimeout)
}
