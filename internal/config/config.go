// Package config reads the services' configuration from environment variables. Every default points
// at the local stack that `make run` and `make test` start, so a newcomer sets nothing.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"time"

	"github.com/caarlos0/env/v11"
)

// Config is everything a service process needs to find its dependencies. The README's configuration
// table is generated from the same names: keep them in step.
type Config struct {
	InventoryAddr string `env:"INVENTORY_ADDR" envDefault:":3000"`
	OrdersAddr    string `env:"ORDERS_ADDR" envDefault:":3002"`
	PaymentsAddr  string `env:"PAYMENTS_ADDR" envDefault:":3004"`

	// PaymentsURL is where the order service finds the payment provider (the sandbox by default).
	PaymentsURL    string        `env:"PAYMENTS_URL" envDefault:"http://127.0.0.1:3004"`
	PaymentTimeout time.Duration `env:"PAYMENT_TIMEOUT" envDefault:"5s"`
	// InventoryURL is where the order worker makes the saga's first attempt at reserve and commit
	// (the inventory's /api/v1/reservations, with STOCK_API_TOKEN); when it fails, the step runs on the
	// inventory's own worker.
	InventoryURL string `env:"INVENTORY_URL" envDefault:"http://127.0.0.1:3000"`
	// OrderDecisionWait bounds how long POST /orders waits for the saga's decision before 202.
	OrderDecisionWait time.Duration `env:"ORDER_DECISION_WAIT" envDefault:"10s"`
	// IdempotencyKeyLifetime is how long an Idempotency-Key stands for the order it placed; after that
	// the same key places a new order.
	IdempotencyKeyLifetime time.Duration `env:"IDEMPOTENCY_KEY_LIFETIME" envDefault:"24h"`
	// StepMaxAttempts bounds a saga step's retries before the order parks in NEEDS_ATTENTION;
	// StepTimeout bounds one run of a step, its attempts and the waits between them (ScheduleToClose);
	// ParkDeadline is how long a parked order waits for an operator before compensating by itself.
	StepMaxAttempts int           `env:"STEP_MAX_ATTEMPTS" envDefault:"10"`
	StepTimeout     time.Duration `env:"STEP_TIMEOUT" envDefault:"5m"`
	ParkDeadline    time.Duration `env:"PARK_DEADLINE" envDefault:"72h"`
	// AdminToken guards /api/v1/admin (Authorization: Bearer <token>); empty refuses every call.
	AdminToken string `env:"ADMIN_TOKEN"`
	// StockAPIToken guards the inventory's /api/v1/reservations, the order worker's door for its first
	// attempt at a saga's reserve and commit (Authorization: Bearer <token>); empty refuses every call,
	// and the saga then reaches the inventory through its worker only.
	StockAPIToken string `env:"STOCK_API_TOKEN"`

	MongoURI    string `env:"MONGO_URI" envDefault:"mongodb://127.0.0.1:27017/"`
	InventoryDB string `env:"INVENTORY_DB" envDefault:"inventory"`
	OrdersDB    string `env:"ORDERS_DB" envDefault:"orders"`
	PaymentsDB  string `env:"PAYMENTS_DB" envDefault:"payments"`

	TemporalAddress   string `env:"TEMPORAL_ADDRESS" envDefault:"127.0.0.1:7233"`
	TemporalNamespace string `env:"TEMPORAL_NAMESPACE" envDefault:"default"`
	// Task queues; tests give each run queues of its own so that no other worker takes its tasks.
	OrdersTaskQueue    string `env:"ORDERS_TASK_QUEUE" envDefault:"orders"`
	InventoryTaskQueue string `env:"INVENTORY_TASK_QUEUE" envDefault:"inventory"`

	RabbitMQURL    string `env:"RABBITMQ_URL" envDefault:"amqp://guest:guest@127.0.0.1:5672/"`
	EventsExchange string `env:"EVENTS_EXCHANGE" envDefault:"ecommerce.events"`

	// ElasticsearchURL is the search read model and the log store; empty means none: searches answer
	// from MongoDB and logs go to stdout only.
	ElasticsearchURL string `env:"ELASTICSEARCH_URL"`
	// SearchIndexPrefix goes before the read model's aliases ("products", "orders"): tests give each
	// run indices of its own.
	SearchIndexPrefix string `env:"SEARCH_INDEX_PREFIX"`
	// ProjectorQueue is the projector's durable queue; its dead letters go to <queue>.dead.
	ProjectorQueue string `env:"PROJECTOR_QUEUE" envDefault:"search-projector"`
	// ProjectorAddr serves the projector's /healthz, /readyz and /metrics.
	ProjectorAddr     string `env:"PROJECTOR_ADDR" envDefault:":3006"`
	ProjectorPrefetch int    `env:"PROJECTOR_PREFETCH" envDefault:"64"`
	// ProjectorBatchWait is how long the projector lets a batch gather after its first event (up to
	// the prefetch) before writing it: fewer, larger writes to Elasticsearch, for a little delay.
	ProjectorBatchWait time.Duration `env:"PROJECTOR_BATCH_WAIT" envDefault:"50ms"`
	// ProjectorDeliveryLimit is how often the projector's quorum queue hands out one message before it
	// dead-letters it (a message that crashes the projector); 0 means no limit.
	ProjectorDeliveryLimit int `env:"PROJECTOR_DELIVERY_LIMIT" envDefault:"20"`

	// Timeouts of every HTTP server: reading a whole request, writing its answer (counted from the end
	// of the request's headers), and keeping an idle keep-alive connection open. The order service
	// writes for at least ORDER_DECISION_WAIT + 5s, since POST /orders waits that long for the saga.
	HTTPReadTimeout  time.Duration `env:"HTTP_READ_TIMEOUT" envDefault:"30s"`
	HTTPWriteTimeout time.Duration `env:"HTTP_WRITE_TIMEOUT" envDefault:"30s"`
	HTTPIdleTimeout  time.Duration `env:"HTTP_IDLE_TIMEOUT" envDefault:"120s"`

	// MetricsPollInterval is how often the gauges kept by counting are refreshed: the order service's
	// parked orders (from Temporal's visibility), the projector's queue depths (from RabbitMQ).
	MetricsPollInterval time.Duration `env:"METRICS_POLL_INTERVAL" envDefault:"15s"`

	// PprofAddr, when set, serves Go's profiler on a listener of its own (empty: none).
	PprofAddr string `env:"PPROF_ADDR"`

	LogLevel        slog.Level    `env:"LOG_LEVEL" envDefault:"info"`
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"15s"`
	// StartupTimeout bounds how long a service waits for its dependencies before giving up, so that
	// services started together with the stack ride out its boot instead of crashing.
	StartupTimeout time.Duration `env:"STARTUP_TIMEOUT" envDefault:"60s"`
}

// Load reads Config from the environment. An unparsable value is an error naming the variable.
func Load() (Config, error) {
	return Parse(nil)
}

// Parse reads Config from the given variables instead of the process environment (nil means the
// process environment); tests use it to avoid touching global state.
func Parse(vars map[string]string) (Config, error) {
	opts := env.Options{}
	if vars != nil {
		opts.Environment = vars
	}
	cfg, err := env.ParseAsWithOptions[Config](opts)
	if err != nil {
		return Config{}, fmt.Errorf("configuration: %w", nameVariables(err))
	}
	if cfg.MetricsPollInterval <= 0 {
		return Config{}, fmt.Errorf("configuration: METRICS_POLL_INTERVAL %s: must be positive", cfg.MetricsPollInterval)
	}
	return cfg, nil
}

// nameVariables rewrites the library's parse errors, which name the Go field, to name the environment
// variable a person has to fix.
func nameVariables(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	t := reflect.TypeFor[Config]()
	msgs := make([]error, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			if f, ok := t.FieldByName(pe.Name); ok {
				e = fmt.Errorf("%s: %w", f.Tag.Get("env"), pe.Err)
			}
		}
		msgs = append(msgs, e)
	}
	return errors.Join(msgs...)
}

// RedactURL hides the password in a connection URL before it is logged or wrapped into an error.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparsable url>"
	}
	return u.Redacted()
}
