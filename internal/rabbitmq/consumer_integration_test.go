//go:build integration

package rabbitmq_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/internal/rabbitmq"
	"github.com/order-saga/shop/internal/testenv"
)

// declare declares sub's topology on the local stack's RabbitMQ, deleted when the test ends, and
// returns a channel to look at it.
func declare(t *testing.T, ctx context.Context, sub rabbitmq.Subscription) *amqp.Channel {
	t.Helper()
	conn, err := amqp.Dial(testenv.RabbitMQURL(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	ch, err := conn.Channel()
	require.NoError(t, err)
	require.NoError(t, rabbitmq.Declare(ctx, conn, sub, testenv.Logger()))
	t.Cleanup(func() {
		_, _ = ch.QueueDelete(sub.Queue, false, false, false)
		_, _ = ch.QueueDelete(sub.DeadLetterQueue(), false, false, false)
		_ = ch.ExchangeDelete(sub.Exchange, false, false)
		_, _ = ch.QueueDelete(rabbitmq.Unrouted(sub.Exchange), false, false, false)
		_ = ch.ExchangeDelete(rabbitmq.Unrouted(sub.Exchange), false, false)
	})
	return ch
}

// publisher publishes to sub's exchange until the test ends.
func publisher(t *testing.T, ctx context.Context, sub rabbitmq.Subscription) *rabbitmq.Publisher {
	t.Helper()
	pub, err := rabbitmq.NewPublisher(ctx, testenv.RabbitMQURL(t), sub.Exchange, testenv.Logger())
	require.NoError(t, err)
	t.Cleanup(func() { _ = pub.Close() })
	return pub
}

// TestConsumerHandsOverWhatHasArrivedAsOneBatch holds the handler on a first message while ten more
// arrive: they come next as one batch. In it, one message fails for a while (tried again alone) and
// one is poison (dead-lettered); the rest are acknowledged at once, and nothing is handled twice but
// the one that failed.
func TestConsumerHandsOverWhatHasArrivedAsOneBatch(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	url := testenv.RabbitMQURL(t)
	name := testenv.UniqueName(t, "batches")
	sub := rabbitmq.Subscription{Exchange: name + ".events", Queue: name, Bindings: []string{"#"}, Prefetch: 16}
	ch := declare(t, ctx, sub)
	reg := prometheus.NewRegistry()
	var err error
	sub.Metrics, err = rabbitmq.NewConsumerMetrics(reg)
	require.NoError(t, err)
	pub := publisher(t, ctx, sub)
	publish := func(ids ...string) {
		for _, id := range ids {
			require.NoError(t, pub.Publish(ctx, rabbitmq.Message{ID: id, RoutingKey: "x", Body: []byte(id)}))
		}
	}

	var mu sync.Mutex
	var calls [][]string
	holding, release := make(chan struct{}), make(chan struct{})
	failOnce := map[string]bool{"m3": true}
	h := func(_ context.Context, batch []amqp.Delivery) []error {
		ids := make([]string, len(batch))
		errs := make([]error, len(batch))
		for i, d := range batch {
			ids[i] = d.MessageId
			switch {
			case d.MessageId == "hold":
				close(holding)
				<-release
			case d.MessageId == "m5":
				errs[i] = fmt.Errorf("unreadable: %w", rabbitmq.ErrReject)
			case failOnce[d.MessageId]:
				failOnce[d.MessageId] = false
				errs[i] = errors.New("store away")
			}
		}
		mu.Lock()
		calls = append(calls, ids)
		mu.Unlock()
		return errs
	}
	done := make(chan struct{})
	consumeCtx, stop := context.WithCancel(ctx)
	go func() { defer close(done); _ = rabbitmq.Consume(consumeCtx, url, sub, h, testenv.Logger()) }()
	t.Cleanup(func() { stop(); <-done })

	publish("hold")
	<-holding
	var later []string
	for i := range 10 {
		later = append(later, fmt.Sprintf("m%d", i))
	}
	publish(later...)
	require.Eventually(t, func() bool {
		q, err := ch.QueueDeclarePassive(sub.Queue, true, false, false, false, nil)
		return err == nil && q.Messages == 0 // all ten handed to the consumer, none handled yet
	}, 20*time.Second, 20*time.Millisecond)
	close(release)

	consumed := func(outcome string) float64 {
		return value(t, reg, "events_consumed_total", map[string]string{"queue": sub.Queue, "outcome": outcome})
	}
	require.Eventually(t, func() bool { return consumed("acked") == 10 && consumed("dead_lettered") == 1 }, 20*time.Second, 20*time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, [][]string{{"hold"}, later, {"m3"}}, calls,
		"the ten that arrived meanwhile came as one batch; only the one that failed came again")
	require.Eventually(t, func() bool {
		q, err := ch.QueueDeclarePassive(sub.DeadLetterQueue(), true, false, false, false, nil)
		return err == nil && q.Messages == 1
	}, 20*time.Second, 20*time.Millisecond, "the poison one waits in the dead-letter queue")
}

// TestConsumerLetsABatchGatherForBatchWait: messages that come one by one within BatchWait of the
// first reach the handler as one batch.
func TestConsumerLetsABatchGatherForBatchWait(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	url := testenv.RabbitMQURL(t)
	name := testenv.UniqueName(t, "batchwait")
	sub := rabbitmq.Subscription{Exchange: name + ".events", Queue: name, Bindings: []string{"#"}, Prefetch: 16, BatchWait: 2 * time.Second}
	declare(t, ctx, sub)
	pub := publisher(t, ctx, sub)

	calls := make(chan []string, 10)
	h := rabbitmq.Handler(func(_ context.Context, batch []amqp.Delivery) []error {
		ids := make([]string, len(batch))
		for i, d := range batch {
			ids[i] = d.MessageId
		}
		calls <- ids
		return make([]error, len(batch))
	})
	consumeCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = rabbitmq.Consume(consumeCtx, url, sub, h, testenv.Logger()) }()
	t.Cleanup(func() { stop(); <-done })

	var ids []string
	for i := range 4 {
		ids = append(ids, fmt.Sprintf("m%d", i))
		require.NoError(t, pub.Publish(ctx, rabbitmq.Message{ID: ids[i], RoutingKey: "x", Body: []byte(ids[i])}))
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case got := <-calls:
		require.Equal(t, ids, got, "the four came within the wait of the first: one batch")
	case <-ctx.Done():
		t.Fatal("no batch")
	}
}
