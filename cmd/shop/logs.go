package main

import (
	"context"
	"io"
	"log/slog"
	"time"

	es8 "github.com/elastic/go-elasticsearch/v8"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/order-saga/shop/internal/config"
	"github.com/order-saga/shop/internal/elasticsearch"
	"github.com/order-saga/shop/internal/logging"
	"github.com/order-saga/shop/internal/logship"
)

// process is what a long-running command's parts share: its logger, its metrics registry and, when
// ELASTICSEARCH_URL is set, its one Elasticsearch client (searches, read model, log shipping).
type process struct {
	log    *slog.Logger
	reg    *prometheus.Registry
	search *es8.Client // nil without ELASTICSEARCH_URL: searches answer from MongoDB
}

// newProcess builds a service's process. The logger writes JSON lines to stdout and, when
// ELASTICSEARCH_URL is set, also ships every record to logs-ecommerce-YYYY.MM.DD without ever
// blocking the caller (records beyond the buffer are dropped and counted in
// shop_log_records_dropped_total). The client does not wait for the server: searches fall back to
// MongoDB while it is away. The returned func drains the buffered records on the way out.
func newProcess(cfg config.Config, stdout io.Writer, service string) (process, func(), error) {
	stdoutJSON := logging.NewHandler(stdout, service, cfg.LogLevel)
	p := process{log: slog.New(logging.WithTrace(stdoutJSON)), reg: newRegistry()}
	if cfg.ElasticsearchURL == "" {
		p.log.Info("ELASTICSEARCH_URL is empty: searches answer from MongoDB, logs stay on stdout")
		return p, func() {}, nil
	}
	var err error
	if p.search, err = elasticsearch.NewClient(cfg.ElasticsearchURL); err != nil {
		return p, func() {}, err
	}
	ship, err := logship.New(logship.Config{Client: p.search, Service: service, Registerer: p.reg, Problems: p.log.Handler()})
	if err != nil {
		p.log.Warn("log shipping to elasticsearch is off", "error", err)
		return p, func() {}, nil
	}
	stdoutOnly := p.log
	// Trace ids outermost: added once, they reach stdout and the shipped document alike.
	p.log = slog.New(logging.WithTrace(ship.Handler(stdoutJSON)))
	return p, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := ship.Close(ctx); err != nil {
			stdoutOnly.Warn("log shipping: records not shipped", "error", err)
		}
	}, nil
}
