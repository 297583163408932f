package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/order-saga/shop/api"
	"github.com/order-saga/shop/internal/config"
	"github.com/order-saga/shop/internal/elasticsearch"
	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/internal/rabbitmq"
	"github.com/order-saga/shop/projector"
)

// primarySearchTimeout bounds a search of the read model before the store answers instead.
const primarySearchTimeout = 3 * time.Second

// fallbackSearch asks the read model first and the store when the read model fails (Elasticsearch
// down, or its index not built yet): both keep the same contract, so a client sees the same answer,
// only slower.
type fallbackSearch[Q, R any] struct {
	primary, fallback interface {
		Search(context.Context, Q) ([]R, error)
	}
	log     *slog.Logger
	timeout time.Duration // of a read-model search; 0 means primarySearchTimeout
}

func (f fallbackSearch[Q, R]) Search(ctx context.Context, q Q) ([]R, error) {
	// A read model that hangs (a server that accepts but does not answer) must not hang the client.
	timeout := f.timeout
	if timeout == 0 {
		timeout = primarySearchTimeout
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	out, err := f.primary.Search(pctx, q)
	cancel()
	if err == nil {
		return out, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	f.log.WarnContext(ctx, "search index unavailable; answering from MongoDB", "error", err)
	return f.fallback.Search(ctx, q)
}

// runProjector consumes the events into the Elasticsearch read model until ctx ends.
func runProjector(ctx context.Context, cfg config.Config, p process) error {
	es, log, reg := p.search, p.log, p.reg
	if es == nil {
		return errors.New("the projector needs ELASTICSEARCH_URL")
	}
	rm := elasticsearch.ReadModel{
		Products: elasticsearch.NewProducts(es, cfg.SearchIndexPrefix+elasticsearch.ProductsAlias),
		Orders:   elasticsearch.NewOrders(es, cfg.SearchIndexPrefix+elasticsearch.OrdersAlias),
	}

	var consuming atomic.Bool
	router := newRouter("projector", log, reg,
		api.Check{Name: "elasticsearch", Ping: func(ctx context.Context) error { return elasticsearch.Ping(ctx, es) }},
		api.Check{Name: "rabbitmq", Ping: func(context.Context) error {
			if !consuming.Load() {
				return errors.New("not consuming from " + cfg.ProjectorQueue)
			}
			return nil
		}})
	srv := newHTTPServer(cfg.ProjectorAddr, router, serverTimeouts(cfg))
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http", "addr", cfg.ProjectorAddr, "error", err)
		}
	}()
	defer srv.Close()

	// The indices must exist before the first event; Elasticsearch may still be starting.
	for {
		err := errors.Join(rm.Products.Ensure(ctx), rm.Orders.Ensure(ctx))
		if err == nil {
			break
		}
		log.Warn("waiting for elasticsearch", "error", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(2 * time.Second):
		}
	}
	consumed, err := rabbitmq.NewConsumerMetrics(reg)
	if err != nil {
		return err
	}
	sub := rabbitmq.Subscription{
		Exchange: cfg.EventsExchange, Queue: cfg.ProjectorQueue, Bindings: projector.Bindings,
		Prefetch: cfg.ProjectorPrefetch, BatchWait: cfg.ProjectorBatchWait, DeliveryLimit: cfg.ProjectorDeliveryLimit, Consuming: consuming.Store,
		Metrics: consumed, DepthInterval: cfg.MetricsPollInterval,
	}
	return rabbitmq.Consume(ctx, cfg.RabbitMQURL, sub, rabbitmq.RejectOn(projector.ErrPoison, projector.Handler(rm, elasticsearch.Permanent)), log)
}

// runReindex rebuilds the read model's indices from MongoDB.
func runReindex(ctx context.Context, cfg config.Config, args []string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	which := fs.Args()
	if len(which) == 0 {
		which = []string{"products", "orders"}
	}
	for _, w := range which {
		if w != "products" && w != "orders" {
			return fmt.Errorf("reindex: unknown index %q (products, orders)", w)
		}
	}
	if cfg.ElasticsearchURL == "" {
		return errors.New("reindex needs ELASTICSEARCH_URL")
	}
	ctx, cancel := context.WithTimeout(ctx, time.Hour)
	defer cancel()
	es, err := elasticsearch.Connect(ctx, cfg.ElasticsearchURL)
	if err != nil {
		return err
	}
	client, err := mongodb.Connect(ctx, cfg.MongoURI)
	if err != nil {
		return err
	}
	defer client.Disconnect(context.Background())

	if slices.Contains(which, "products") {
		db := client.Database(cfg.InventoryDB)
		ledger, err := mongodb.NewLedger(ctx, db, newRegistry())
		if err != nil {
			return fmt.Errorf("inventory store: %w", err)
		}
		n, err := elasticsearch.NewProducts(es, cfg.SearchIndexPrefix+elasticsearch.ProductsAlias).Rebuild(ctx, mongodb.NewCatalog(db), ledger)
		if err != nil {
			return fmt.Errorf("reindex products: %w", err)
		}
		fmt.Fprintf(stdout, "products: %d documents\n", n)
	}
	if slices.Contains(which, "orders") {
		n, err := elasticsearch.NewOrders(es, cfg.SearchIndexPrefix+elasticsearch.OrdersAlias).Rebuild(ctx, mongodb.NewOrders(client.Database(cfg.OrdersDB)))
		if err != nil {
			return fmt.Errorf("reindex orders: %w", err)
		}
		fmt.Fprintf(stdout, "orders: %d documents\n", n)
	}
	log.Info("reindex done", "indices", which)
	return nil
}
