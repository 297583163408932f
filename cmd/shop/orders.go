package main

import (
	"context"
	"log/slog"
	"net/http"

	"go.temporal.io/sdk/worker"

	"github.com/order-saga/shop/internal/config"
)

func runOrders(ctx context.Context, cfg config.Config, r roles, log *slog.Logger) error {
	d, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.close(log)

	var handler http.Handler
	if r.api {
		handler = newRouter("orders", log, d)
	}
	var w worker.Worker // the saga arrives with the order saga issue
	return serve(ctx, log, cfg.OrdersAddr, handler, w, cfg.ShutdownTimeout)
}
