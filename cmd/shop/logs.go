package main

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/order-saga/shop/internal/config"
	"github.com/order-saga/shop/internal/elasticsearch"
	"github.com/order-saga/shop/internal/logging"
	"github.com/order-saga/shop/internal/logship"
)

// serviceLogger returns a service's logger and metrics registry. The logger writes JSON lines to
// stdout and, when ELASTICSEARCH_URL is set, also ships every record to logs-ecommerce-YYYY.MM.DD
// without ever blocking the caller (records beyond the buffer are dropped and counted in
// shop_log_records_dropped_total). The returned func drains what is buffered on the way out.
func serviceLogger(cfg config.Config, stdout io.Writer, service string) (*slog.Logger, *prometheus.Registry, func()) {
	reg := newRegistry()
	log := logging.New(stdout, service, cfg.LogLevel)
	if cfg.ElasticsearchURL == "" {
		return log, reg, func() {}
	}
	es, err := elasticsearch.NewClient(cfg.ElasticsearchURL)
	if err == nil {
		var ship *logship.Shipper
		ship, err = logship.New(logship.Config{Client: es, Service: service, Registerer: reg, Problems: log.Handler()})
		if err == nil {
			shipped := slog.New(ship.Handler(log.Handler()))
			return shipped, reg, func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := ship.Close(ctx); err != nil {
					log.Warn("log shipping: records not shipped", "error", err)
				}
			}
		}
	}
	log.Warn("log shipping to elasticsearch is off", "error", err)
	return log, reg, func() {}
}
