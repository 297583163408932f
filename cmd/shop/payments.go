package main

import (
	"context"
	"fmt"
	"time"

	"github.com/order-saga/shop/api"
	"github.com/order-saga/shop/api/paymentsapi"
	"github.com/order-saga/shop/internal/config"
	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/payments"
)

// runPayments runs the payment sandbox: a provider of its own on its own port, with its state in
// MongoDB so that a restart loses nothing.
func runPayments(ctx context.Context, cfg config.Config, p process) error {
	log := p.log
	cctx, cancel := context.WithTimeout(ctx, cfg.StartupTimeout)
	defer cancel()
	mongoOpts, err := mongoOptions()
	if err != nil {
		return err
	}
	client, err := mongodb.Connect(cctx, cfg.MongoURI, mongoOpts...)
	if err != nil {
		return err
	}
	defer func() { _ = client.Disconnect(context.Background()) }()

	sandbox := payments.NewSandbox(mongodb.NewPayments(client.Database(cfg.PaymentsDB)), time.Now, log)
	router := newRouter("payments", log, p.reg,
		api.Check{Name: "mongodb", Ping: func(ctx context.Context) error { return mongodb.Ping(ctx, client) }})
	paymentsapi.Mount(router, sandbox, log)
	if err := serve(ctx, log, cfg.PaymentsAddr, router, serverTimeouts(cfg), nil, cfg.ShutdownTimeout); err != nil {
		return fmt.Errorf("payment sandbox: %w", err)
	}
	return nil
}
