package main

import (
	"context"
	"log/slog"
	"net/http"

	"go.temporal.io/sdk/worker"

	"github.com/order-saga/shop/internal/config"
)

func runInventory(ctx context.Context, cfg config.Config, r roles, log *slog.Logger) error {
	d, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.close(log)

	var handler http.Handler
	if r.api {
		handler = newRouter("inventory", log, d)
	}
	var w worker.Worker // the inventory activities arrive with the inventory issue
	return serve(ctx, log, cfg.InventoryAddr, handler, w, cfg.ShutdownTimeout)
}
