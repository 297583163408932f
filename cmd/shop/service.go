package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	es8 "github.com/elastic/go-elasticsearch/v8"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/order-saga/shop/api"
	"github.com/order-saga/shop/api/inventoryapi"
	"github.com/order-saga/shop/api/paymentsapi"
	"github.com/order-saga/shop/internal/config"
	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/internal/rabbitmq"
	"github.com/order-saga/shop/internal/telemetry"
	"github.com/order-saga/shop/internal/temporal"
	"github.com/order-saga/shop/workers"
)

// roles says which parts of a service this process runs; by default both.
type roles struct {
	api    bool
	worker bool
}

// deps are the connections every service holds.
type deps struct {
	mongo     *mongo.Client
	temporal  client.Client
	publisher *rabbitmq.Publisher
	registry  *prometheus.Registry
	search    *es8.Client // nil without ELASTICSEARCH_URL
}

// connect opens every dependency, waiting up to cfg.StartupTimeout for them to answer.
func connect(ctx context.Context, cfg config.Config, p process) (*deps, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.StartupTimeout)
	defer cancel()

	log := p.log
	d := &deps{registry: p.reg, search: p.search}

	mongoOpts, err := mongoOptions()
	if err != nil {
		return nil, err
	}
	if d.mongo, err = mongodb.Connect(ctx, cfg.MongoURI, mongoOpts...); err != nil {
		return nil, err
	}
	if d.temporal, err = temporal.Dial(ctx, cfg.TemporalAddress, cfg.TemporalNamespace, log); err != nil {
		d.close(log)
		return nil, err
	}
	if d.publisher, err = rabbitmq.NewPublisher(ctx, cfg.RabbitMQURL, cfg.EventsExchange, log); err != nil {
		d.close(log)
		return nil, err
	}
	log.Info("dependencies connected",
		"mongo", config.RedactURL(cfg.MongoURI), "temporal", cfg.TemporalAddress, "rabbitmq", config.RedactURL(cfg.RabbitMQURL))
	return d, nil
}

func (d *deps) checks() []api.Check {
	return []api.Check{
		{Name: "mongodb", Ping: func(ctx context.Context) error { return mongodb.Ping(ctx, d.mongo) }},
		{Name: "temporal", Ping: func(ctx context.Context) error { return temporal.Ping(ctx, d.temporal) }},
		{Name: "rabbitmq", Ping: d.publisher.Ping},
	}
}

func (d *deps) close(log *slog.Logger) {
	if d.publisher != nil {
		if err := d.publisher.Close(); err != nil {
			log.Warn("close rabbitmq", "error", err)
		}
	}
	if d.temporal != nil {
		d.temporal.Close()
	}
	if d.mongo != nil {
		if err := d.mongo.Disconnect(context.Background()); err != nil {
			log.Warn("close mongodb", "error", err)
		}
	}
}

// newRouter returns a router with the middleware and operational endpoints every service shares.
func newRouter(service string, log *slog.Logger, reg *prometheus.Registry, checks ...api.Check) chi.Router {
	r := chi.NewRouter()
	// The span first, so the request's log line and everything the handler does is in its trace.
	r.Use(telemetry.HTTPServer(service), middleware.RequestID, middleware.RealIP, requestLogger(log), middleware.Recoverer)
	r.Use(api.RequestMetrics(reg, service))
	api.MountOps(r, reg, checks...)
	return r
}

// newRegistry returns a Prometheus registry with the Go runtime and process collectors.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// sagaStepPaths are the APIs the saga's steps call: the inventory's stock door and the payment
// provider's (the sandbox here). A success there is logged at Debug, as a completed activity is (four
// records per order otherwise, each one shipped to and indexed by Elasticsearch); a refusal or a
// failure stays at Info.
var sagaStepPaths = []string{inventoryapi.ReservationsPath + "/", paymentsapi.PaymentsPath + "/"}

func sagaStep(path string) bool {
	for _, prefix := range sagaStepPaths {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
}

// requestLogger logs each request as one structured line once it is answered.
func requestLogger(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r)
			level := slog.LevelInfo
			switch {
			case r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics":
				level = slog.LevelDebug // probes would drown everything else
			case sagaStep(r.URL.Path) && ww.Status() < http.StatusBadRequest:
				level = slog.LevelDebug
			}
			log.Log(r.Context(), level, "http request",
				"method", r.Method, "path", r.URL.Path, "status", ww.Status(),
				"bytes", ww.BytesWritten(), "duration_ms", time.Since(start).Milliseconds(),
				"requestId", middleware.GetReqID(r.Context()))
		})
	}
}

// serve runs the HTTP server (when handler is not nil) and the worker (when w is not nil) until ctx
// ends or one of them fails, then shuts both down: in-flight requests finish, the worker stops polling
// and lets running activities finish.
func serve(ctx context.Context, log *slog.Logger, addr string, handler http.Handler, timeouts httpTimeouts, w worker.Worker, shutdownTimeout time.Duration) error {
	errc := make(chan error, 2)

	var srv *http.Server
	if handler != nil {
		srv = newHTTPServer(addr, handler, timeouts)
		go func() {
			log.Info("http listening", "addr", addr, "readTimeout", srv.ReadTimeout.String(),
				"writeTimeout", srv.WriteTimeout.String(), "idleTimeout", srv.IdleTimeout.String())
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("http %s: %w", addr, err)
			}
		}()
	}
	if w != nil {
		if err := w.Start(); err != nil {
			return fmt.Errorf("start worker: %w", err)
		}
		log.Info("worker polling")
	}

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case runErr = <-errc:
		log.Error("stopping after failure", "error", runErr)
	case err := <-workers.Fatal(w): // the process exits non-zero; its supervisor restarts it
		runErr = fmt.Errorf("worker stopped for good: %w", err)
		log.Error("stopping after failure", "error", runErr)
	}

	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			log.Warn("http shutdown", "error", err)
		}
	}
	if w != nil {
		w.Stop()
	}
	log.Info("stopped")
	return runErr
}
