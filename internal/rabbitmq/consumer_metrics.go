package rabbitmq

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/order-saga/shop/internal/metrics"
)

// Outcomes of a consumed message, as the label "outcome".
const (
	outcomeAcked        = "acked"
	outcomeDeadLettered = "dead_lettered"
)

// DefaultDepthInterval is how often a consumer reads its queues' depths when its subscription does
// not say.
const DefaultDepthInterval = 15 * time.Second

// ConsumerMetrics is what a consumer tells Prometheus, by queue:
//   - events_consumed_total{queue,outcome}: messages settled, acked or dead_lettered (set aside in
//     the dead-letter queue for a person);
//   - events_consume_lag_seconds{queue}: from a message's timestamp (the event's occurredAt, whole
//     seconds in AMQP) to its acknowledgement, so how far the consumer trails the system;
//   - events_queue_messages{queue}: messages ready in the queue and in its dead-letter queue, read
//     from the broker every DepthInterval: a growing backlog shows even when nothing is acked;
//   - events_consumed_batch_size{queue}: messages the handler got at once (see Consume).
type ConsumerMetrics struct {
	consumed *prometheus.CounterVec
	lag      *prometheus.HistogramVec
	depth    *prometheus.GaugeVec
	batch    *prometheus.HistogramVec
}

// NewConsumerMetrics registers the consumers' metrics on reg (shared by every consumer of the process).
func NewConsumerMetrics(reg prometheus.Registerer) (*ConsumerMetrics, error) {
	consumed, err := metrics.Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "events_consumed_total",
		Help: "Event messages a consumer settled, by queue and outcome (acked, dead_lettered: set aside in the queue's dead-letter queue).",
	}, []string{"queue", "outcome"}))
	if err != nil {
		return nil, err
	}
	lag, err := metrics.Register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "events_consume_lag_seconds",
		Help:    "Time from an event's occurrence (its message timestamp, whole seconds) to its acknowledgement by a consumer, by queue.",
		Buckets: []float64{0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600},
	}, []string{"queue"}))
	if err != nil {
		return nil, err
	}
	depth, err := metrics.Register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "events_queue_messages",
		Help: "Messages ready in a consumer's queue and in its dead-letter queue, as the broker last reported.",
	}, []string{"queue"}))
	if err != nil {
		return nil, err
	}
	batch, err := metrics.Register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "events_consumed_batch_size",
		Help:    "Messages a consumer's handler got at once (a batch), by queue.",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128},
	}, []string{"queue"}))
	if err != nil {
		return nil, err
	}
	return &ConsumerMetrics{consumed: consumed, lag: lag, depth: depth, batch: batch}, nil
}

// batched observes the size of a batch handed to the handler.
func (m *ConsumerMetrics) batched(queue string, n int) {
	if m == nil {
		return
	}
	m.batch.WithLabelValues(queue).Observe(float64(n))
}

// start creates the subscription's series at zero, so that a first dead letter shows as an increase.
func (m *ConsumerMetrics) start(sub Subscription) {
	if m == nil {
		return
	}
	m.consumed.WithLabelValues(sub.Queue, outcomeAcked)
	m.consumed.WithLabelValues(sub.Queue, outcomeDeadLettered)
	m.lag.WithLabelValues(sub.Queue)
	m.batch.WithLabelValues(sub.Queue)
}

func (m *ConsumerMetrics) acked(queue string, d amqp.Delivery) {
	if m == nil {
		return
	}
	m.consumed.WithLabelValues(queue, outcomeAcked).Inc()
	if !d.Timestamp.IsZero() {
		m.lag.WithLabelValues(queue).Observe(max(time.Since(d.Timestamp).Seconds(), 0))
	}
}

func (m *ConsumerMetrics) deadLettered(queue string) {
	if m == nil {
		return
	}
	m.consumed.WithLabelValues(queue, outcomeDeadLettered).Inc()
}

// watchDepths keeps events_queue_messages of the subscription's queue and dead-letter queue current
// over conn until ctx ends, each on a channel of its own.
func (m *ConsumerMetrics) watchDepths(ctx context.Context, conn *amqp.Connection, sub Subscription, log *slog.Logger) {
	if m == nil {
		return
	}
	interval := sub.DepthInterval
	if interval <= 0 {
		interval = DefaultDepthInterval
	}
	var wg sync.WaitGroup
	for _, q := range []string{sub.Queue, sub.DeadLetterQueue()} {
		wg.Go(func() {
			metrics.Poll(ctx, interval, m.depth.WithLabelValues(q), queueDepth(conn, q), log.With("metric", "events_queue_messages", "depthOf", q))
		})
	}
	wg.Wait()
}

// queueDepth reads a queue's ready messages with a passive declare, on a channel it opens again
// whenever the last one closed (a failed passive declare closes it).
func queueDepth(conn *amqp.Connection, queue string) func(context.Context) (float64, error) {
	var ch *amqp.Channel
	return func(context.Context) (float64, error) {
		if ch == nil || ch.IsClosed() {
			var err error
			if ch, err = conn.Channel(); err != nil {
				return 0, fmt.Errorf("open channel: %w", err)
			}
		}
		q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
		if err != nil {
			return 0, fmt.Errorf("depth of %s: %w", queue, err)
		}
		return float64(q.Messages), nil
	}
}
