//go:build integration

package rabbitmq_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/order-saga/shop/internal/metricstest"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/internal/rabbitmq"
	"github.com/order-saga/shop/internal/testenv"
)

// value reads one series of reg: a counter or gauge's value, a histogram's count; -1 when there is none.
func value(t *testing.T, reg prometheus.Gatherer, name string, labels map[string]string) float64 {
	t.Helper()
	return metricstest.Value(metricstest.Series(metricstest.Gather(t, reg), name, labels))
}

// TestConsumerMetrics publishes three events that occurred a minute ago into a queue whose consumer
// (prefetch 1) holds the first one: the depth shows the two waiting; once released, the poison one is
// dead-lettered and the others acked, each with its lag, and the depths follow: none waiting in the
// queue, one in its dead-letter queue.
func TestConsumerMetrics(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	url := testenv.RabbitMQURL(t)
	name := testenv.UniqueName(t, "metrics")
	sub := rabbitmq.Subscription{Exchange: name + ".events", Queue: name, Bindings: []string{"#"}, Prefetch: 1, DepthInterval: 50 * time.Millisecond}
	declare(t, ctx, sub)

	pub := publisher(t, ctx, sub)
	occurred := time.Now().Add(-time.Minute)
	for i, body := range []string{"hold", "poison", "fine"} {
		require.NoError(t, pub.Publish(ctx, rabbitmq.Message{ID: fmt.Sprint(i), RoutingKey: "x", Timestamp: occurred, Body: []byte(body)}))
	}

	reg := prometheus.NewRegistry()
	var err error
	sub.Metrics, err = rabbitmq.NewConsumerMetrics(reg)
	require.NoError(t, err)
	release := make(chan struct{})
	var once sync.Once
	h := func(ctx context.Context, d amqp.Delivery) error {
		switch string(d.Body) {
		case "hold":
			once.Do(func() { <-release })
		case "poison":
			return fmt.Errorf("unreadable: %w", rabbitmq.ErrReject)
		}
		return nil
	}
	consumeCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = rabbitmq.Consume(consumeCtx, url, sub, rabbitmq.Each(h), testenv.Logger())
	}()
	t.Cleanup(func() { stop(); <-done })

	depth := func(q string) float64 { return value(t, reg, "events_queue_messages", map[string]string{"queue": q}) }
	consumed := func(outcome string) float64 {
		return value(t, reg, "events_consumed_total", map[string]string{"queue": sub.Queue, "outcome": outcome})
	}
	require.Eventually(t, func() bool { return depth(sub.Queue) == 2 }, 20*time.Second, 20*time.Millisecond,
		"two messages wait behind the one held")
	require.Equal(t, 0.0, consumed("dead_lettered"), "the series exists before the first dead letter")
	require.Equal(t, 0.0, depth(sub.DeadLetterQueue()))

	close(release)
	require.Eventually(t, func() bool { return consumed("acked") == 2 && consumed("dead_lettered") == 1 }, 20*time.Second, 20*time.Millisecond)
	require.Eventually(t, func() bool { return depth(sub.Queue) == 0 && depth(sub.DeadLetterQueue()) == 1 }, 20*time.Second, 20*time.Millisecond)

	lag := value(t, reg, "events_consume_lag_seconds", map[string]string{"queue": sub.Queue})
	require.Equal(t, 2.0, lag, "each acked message's lag is observed")
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() == "events_consume_lag_seconds" {
			require.GreaterOrEqual(t, f.GetMetric()[0].GetHistogram().GetSampleSum(), 2*59.0, "both trail their events by a minute")
		}
	}
	problems, err := testutil.GatherAndLint(reg)
	require.NoError(t, err)
	require.Empty(t, problems)
}
