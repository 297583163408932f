package main

import (
	"context"
	"fmt"
	"time"

	"github.com/order-saga/shop/internal/elasticsearch"

	"go.temporal.io/sdk/worker"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/api/inventoryapi"
	"github.com/order-saga/shop/internal/config"
	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/internal/rabbitmq"
	"github.com/order-saga/shop/inventory"
	"github.com/order-saga/shop/workers"
)

// outboxRelayInterval is how often the inventory service retries the events its outbox holds.
const outboxRelayInterval = 5 * time.Second

// runInventory runs the inventory service: its HTTP API and its worker for the stock activities.
func runInventory(ctx context.Context, cfg config.Config, r roles, p process) error {
	log := p.log
	d, err := connect(ctx, cfg, p)
	if err != nil {
		return err
	}
	defer d.close(log)

	db := d.mongo.Database(cfg.InventoryDB)
	ledger, err := mongodb.NewLedger(ctx, db, d.registry)
	if err != nil {
		return fmt.Errorf("inventory store: %w", err)
	}
	svc := inventory.NewService(mongodb.NewCatalog(db), ledger, mongodb.NewReservations(db),
		rabbitmq.Events{Publisher: d.publisher}, time.Now, log).WithOutbox(mongodb.NewOutbox(db))
	// Events of HTTP changes that the broker did not take wait in the outbox; this sends them on.
	relayCtx, stopRelay := context.WithCancel(ctx)
	defer stopRelay()
	go svc.RelayOutbox(relayCtx, outboxRelayInterval)

	// The ops endpoints (/healthz, /readyz, /metrics) are served whichever roles run, so a worker-only
	// process can be probed and scraped like the API.
	router := newRouter("inventory", log, d.registry, d.checks()...)
	if r.api {
		var search inventory.Searcher = svc
		if d.search != nil {
			search = fallbackSearch[inventory.SearchQuery, inventory.ProductView]{
				primary: elasticsearch.NewProducts(d.search, cfg.SearchIndexPrefix+elasticsearch.ProductsAlias), fallback: svc, log: log,
			}
		}
		inventoryapi.Mount(router, svc, search, log)
		// The order worker's door for its first attempt at reserve and commit (a local activity over
		// HTTP); without a token it refuses every call and the saga uses this service's worker only.
		inventoryapi.MountStock(router, svc, cfg.StockAPIToken, log)
	}
	var w worker.Worker
	if r.worker {
		w = workers.Inventory(d.temporal, cfg.InventoryTaskQueue, &activities.Inventory{Stock: svc}, workers.WithLogger(log), workers.WithMetrics(d.registry))
	}
	return serve(ctx, log, cfg.InventoryAddr, router, serverTimeouts(cfg), w, cfg.ShutdownTimeout)
}
