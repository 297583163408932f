//go:build integration

package rabbitmq_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/internal/rabbitmq"
	"github.com/order-saga/shop/internal/testenv"
)

// subscription is a subscription on an exchange and queues of the test's own, all deleted at the end.
func subscription(t *testing.T, deliveryLimit int) rabbitmq.Subscription {
	t.Helper()
	sub := rabbitmq.Subscription{
		Exchange: testenv.UniqueName(t, "test.events"), Queue: testenv.UniqueName(t, "test.sub"),
		Bindings: []string{"order.*"}, Prefetch: 1, DeliveryLimit: deliveryLimit,
	}
	testenv.CleanupExchange(t, sub.Exchange)
	t.Cleanup(func() {
		conn, err := amqp.Dial(testenv.RabbitMQURL(t))
		if err != nil {
			return
		}
		defer conn.Close()
		ch, err := conn.Channel()
		if err != nil {
			return
		}
		for _, q := range []string{sub.Queue, sub.DeadLetterQueue(), sub.Queue + rabbitmq.MigratingSuffix, sub.DeadLetterQueue() + rabbitmq.MigratingSuffix} {
			_, _ = ch.QueueDelete(q, false, false, false)
		}
		_ = ch.ExchangeDelete(sub.Queue+".dlx", false, false)
	})
	return sub
}

// publishRaw publishes n persistent messages with ids prefix-0… to the exchange, confirmed.
func publishRaw(t *testing.T, conn *amqp.Connection, exchange, key, prefix string, n int) {
	t.Helper()
	ch, err := conn.Channel()
	require.NoError(t, err)
	defer ch.Close()
	require.NoError(t, ch.Confirm(false))
	for i := range n {
		dc, err := ch.PublishWithDeferredConfirmWithContext(context.Background(), exchange, key, true, false, amqp.Publishing{
			MessageId: fmt.Sprintf("%s-%d", prefix, i), DeliveryMode: amqp.Persistent, Body: []byte(`{}`),
		})
		require.NoError(t, err)
		ok, err := dc.WaitContext(context.Background())
		require.NoError(t, err)
		require.True(t, ok)
	}
}

// depth is the number of ready messages in queue (a passive declare: current, unlike the
// management API's statistics).
func depth(t *testing.T, conn *amqp.Connection, queue string) int {
	t.Helper()
	ch, err := conn.Channel()
	require.NoError(t, err)
	defer ch.Close()
	q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
	require.NoError(t, err, "queue %s", queue)
	return q.Messages
}

func requireQuorum(t *testing.T, queue string) testenv.QueueInfo {
	t.Helper()
	q, found := testenv.Queue(t, queue)
	require.True(t, found, "queue %s exists", queue)
	require.Equal(t, "quorum", q.Type, "queue %s", queue)
	require.True(t, q.Durable, "queue %s", queue)
	return q
}

func TestSubscriptionQueuesAreQuorum(t *testing.T) {
	ctx := context.Background()
	conn := dial(t)
	sub := subscription(t, 7)
	require.NoError(t, rabbitmq.Declare(ctx, conn, sub, testenv.Logger()))

	q := requireQuorum(t, sub.Queue)
	require.Equal(t, map[string]any{
		"x-queue-type":           "quorum",
		"x-dead-letter-exchange": sub.Queue + ".dlx",
		"x-dead-letter-strategy": "at-least-once",
		"x-overflow":             "reject-publish",
		"x-delivery-limit":       float64(7),
	}, q.Arguments)
	requireQuorum(t, sub.DeadLetterQueue())
	requireQuorum(t, rabbitmq.Unrouted(sub.Exchange))

	require.NoError(t, rabbitmq.Declare(ctx, conn, sub, testenv.Logger()), "declaring again is a no-op")
	_, found := testenv.Queue(t, sub.Queue+rabbitmq.MigratingSuffix)
	require.False(t, found, "no migration took place")
}

// TestPoisonMessageEndsInTheDeadLetterQueue: a message the handler refuses, and one that takes its
// consumer down every time it is delivered, both end in the dead-letter queue (dead-lettered at
// least once), and the messages behind them are processed.
func TestPoisonMessageEndsInTheDeadLetterQueue(t *testing.T) {
	for _, tc := range []struct {
		name   string
		reason string // x-death reason
		run    func(t *testing.T, ctx context.Context, sub rabbitmq.Subscription, handled chan<- string)
	}{
		{
			name: "refused by the handler", reason: "rejected",
			run: func(t *testing.T, ctx context.Context, sub rabbitmq.Subscription, handled chan<- string) {
				go func() {
					_ = rabbitmq.Consume(ctx, testenv.RabbitMQURL(t), sub, rabbitmq.Each(func(_ context.Context, d amqp.Delivery) error {
						if d.MessageId == "poison-0" {
							return fmt.Errorf("unreadable: %w", rabbitmq.ErrReject)
						}
						handled <- d.MessageId
						return nil
					}), testenv.Logger())
				}()
			},
		},
		{
			name: "crashes its consumer every time", reason: "delivery_limit",
			run: func(t *testing.T, ctx context.Context, sub rabbitmq.Subscription, handled chan<- string) {
				go crashOn(t, ctx, sub.Queue, "poison-0", handled)
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			conn := dial(t)
			sub := subscription(t, 3)
			require.NoError(t, rabbitmq.Declare(ctx, conn, sub, testenv.Logger()))
			publishRaw(t, conn, sub.Exchange, "order.placed", "poison", 1)
			publishRaw(t, conn, sub.Exchange, "order.placed", "good", 3)

			handled := make(chan string, 16)
			tc.run(t, ctx, sub, handled)
			for i := range 3 {
				select {
				case id := <-handled:
					require.Equal(t, fmt.Sprintf("good-%d", i), id)
				case <-ctx.Done():
					t.Fatalf("good-%d was never handled", i)
				}
			}
			var dead amqp.Delivery
			require.Eventually(t, func() bool {
				ch, err := conn.Channel()
				require.NoError(t, err)
				defer ch.Close()
				d, ok, err := ch.Get(sub.DeadLetterQueue(), true)
				require.NoError(t, err)
				dead = d
				return ok
			}, 20*time.Second, 100*time.Millisecond, "the poison message reaches the dead-letter queue")
			require.Equal(t, "poison-0", dead.MessageId)
			deaths, ok := dead.Headers["x-death"].([]any)
			require.True(t, ok, "x-death header: %v", dead.Headers)
			require.Equal(t, tc.reason, deaths[0].(amqp.Table)["reason"])
			require.Zero(t, depth(t, conn, sub.Queue), "nothing left behind in the queue")
		})
	}
}

// crashOn consumes queue like a process that dies (its connection closed, nothing acknowledged)
// whenever it meets the message poison, and reports every other message it acknowledges.
func crashOn(t *testing.T, ctx context.Context, queue, poison string, handled chan<- string) {
	for ctx.Err() == nil {
		conn, err := amqp.Dial(testenv.RabbitMQURL(t))
		if err != nil {
			return
		}
		ch, err := conn.Channel()
		if err == nil {
			err = ch.Qos(1, 0, false)
		}
		var deliveries <-chan amqp.Delivery
		if err == nil {
			deliveries, err = ch.Consume(queue, "", false, false, false, false, nil)
		}
		for err == nil {
			select {
			case d := <-deliveries:
				if d.MessageId == poison {
					err = errors.New("crash")
					break
				}
				if err = d.Ack(false); err == nil {
					handled <- d.MessageId
				}
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
		_ = conn.Close()
	}
}

// declareAsBefore declares sub's topology as the earlier version did: classic queues, an exchange
// without an alternate exchange.
func declareAsBefore(t *testing.T, conn *amqp.Connection, sub rabbitmq.Subscription) {
	t.Helper()
	ch, err := conn.Channel()
	require.NoError(t, err)
	defer ch.Close()
	require.NoError(t, ch.ExchangeDeclare(sub.Exchange, amqp.ExchangeTopic, true, false, false, false, nil))
	require.NoError(t, ch.ExchangeDeclare(sub.Queue+".dlx", amqp.ExchangeFanout, true, false, false, false, nil))
	_, err = ch.QueueDeclare(sub.DeadLetterQueue(), true, false, false, false, nil)
	require.NoError(t, err)
	require.NoError(t, ch.QueueBind(sub.DeadLetterQueue(), "", sub.Queue+".dlx", false, nil))
	_, err = ch.QueueDeclare(sub.Queue, true, false, false, false, amqp.Table{"x-dead-letter-exchange": sub.Queue + ".dlx"})
	require.NoError(t, err)
	for _, k := range sub.Bindings {
		require.NoError(t, ch.QueueBind(sub.Queue, k, sub.Exchange, false, nil))
	}
	q, found := testenv.Queue(t, sub.Queue)
	require.True(t, found)
	require.Equal(t, "classic", q.Type)
}

// TestQueuesDeclaredOtherwiseAreMigrated: the classic queue and dead-letter queue of the earlier
// version, with messages in both, become quorum queues of the same names with every message kept;
// so does a quorum queue declared with another delivery limit.
func TestQueuesDeclaredOtherwiseAreMigrated(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before func(t *testing.T, conn *amqp.Connection, sub rabbitmq.Subscription)
	}{
		{name: "classic queues of the earlier version", before: declareAsBefore},
		{name: "a quorum queue with another delivery limit", before: func(t *testing.T, conn *amqp.Connection, sub rabbitmq.Subscription) {
			sub.DeliveryLimit = 5
			require.NoError(t, rabbitmq.Declare(context.Background(), conn, sub, testenv.Logger()))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			conn := dial(t)
			sub := subscription(t, 20)
			tc.before(t, conn, sub)
			publishRaw(t, conn, sub.Exchange, "order.placed", "old", 25)
			publishRaw(t, conn, "", sub.DeadLetterQueue(), "dead", 4)

			require.NoError(t, rabbitmq.Declare(ctx, conn, sub, testenv.Logger()))

			q := requireQuorum(t, sub.Queue)
			require.Equal(t, float64(20), q.Arguments["x-delivery-limit"])
			requireQuorum(t, sub.DeadLetterQueue())
			for _, q := range []string{sub.Queue, sub.DeadLetterQueue()} {
				_, found := testenv.Queue(t, q+rabbitmq.MigratingSuffix)
				require.False(t, found, "the holding queue of %s is gone", q)
			}
			publishRaw(t, conn, sub.Exchange, "order.placed", "new", 1)
			require.ElementsMatch(t, append(ids("old", 25), "new-0"), takeAll(t, conn, sub.Queue),
				"every old message kept, the binding in place, each message once")
			require.ElementsMatch(t, ids("dead", 4), takeAll(t, conn, sub.DeadLetterQueue()))
		})
	}
}

// TestAnInterruptedMigrationFinishes: a process stopped after it declared the new queue but before
// it drained the holding queue (still bound, with messages); the next declaration finishes the job.
func TestAnInterruptedMigrationFinishes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn := dial(t)
	sub := subscription(t, 20)
	require.NoError(t, rabbitmq.Declare(ctx, conn, sub, testenv.Logger()))
	holding := sub.Queue + rabbitmq.MigratingSuffix
	ch, err := conn.Channel()
	require.NoError(t, err)
	_, err = ch.QueueDeclare(holding, true, false, false, false, amqp.Table{"x-queue-type": "quorum"})
	require.NoError(t, err)
	require.NoError(t, ch.QueueBind(holding, "order.*", sub.Exchange, false, nil))
	publishRaw(t, conn, "", holding, "held", 5)

	require.NoError(t, rabbitmq.Declare(ctx, conn, sub, testenv.Logger()))

	_, found := testenv.Queue(t, holding)
	require.False(t, found, "the holding queue is gone")
	publishRaw(t, conn, sub.Exchange, "order.placed", "new", 1)
	require.ElementsMatch(t, append(ids("held", 5), "new-0"), takeAll(t, conn, sub.Queue))
}

// TestMigrationWaitsForTheEarlierVersionsConsumer: while a process of the earlier version still
// reads the classic queue, the migration stops with ErrQueueInUse naming the queue, new messages
// wait in the holding queue, and once that process is gone the next declaration completes it with
// every message, the one that process held unacknowledged included.
func TestMigrationWaitsForTheEarlierVersionsConsumer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn := dial(t)
	sub := subscription(t, 20)
	declareAsBefore(t, conn, sub)
	publishRaw(t, conn, sub.Exchange, "order.placed", "old", 3)

	oldConn := dial(t)
	oldCh, err := oldConn.Channel()
	require.NoError(t, err)
	require.NoError(t, oldCh.Qos(1, 0, false))
	deliveries, err := oldCh.Consume(sub.Queue, "old-projector", false, false, false, false, nil)
	require.NoError(t, err)
	held := receive(t, deliveries) // in the old consumer's hands, never acknowledged

	err = rabbitmq.Declare(ctx, conn, sub, testenv.Logger())
	require.ErrorIs(t, err, rabbitmq.ErrQueueInUse)
	require.ErrorContains(t, err, sub.Queue)
	publishRaw(t, conn, sub.Exchange, "order.placed", "meanwhile", 2)
	require.Equal(t, 2+2, depth(t, conn, sub.Queue+rabbitmq.MigratingSuffix),
		"the old queue's free messages and the new ones wait in the holding queue")

	require.NoError(t, oldConn.Close()) // the old process stops: its message goes back to the old queue
	require.NoError(t, rabbitmq.Declare(ctx, conn, sub, testenv.Logger()))

	requireQuorum(t, sub.Queue)
	got := takeAll(t, conn, sub.Queue)
	require.Contains(t, got, held.MessageId)
	require.ElementsMatch(t, append(ids("old", 3), ids("meanwhile", 2)...), got)
}

func dial(t *testing.T) *amqp.Connection {
	t.Helper()
	conn, err := amqp.Dial(testenv.RabbitMQURL(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// takeAll takes (and acknowledges) every message of queue, and returns their ids.
func takeAll(t *testing.T, conn *amqp.Connection, queue string) []string {
	t.Helper()
	ch, err := conn.Channel()
	require.NoError(t, err)
	defer ch.Close()
	var ids []string
	for {
		d, ok, err := ch.Get(queue, false)
		require.NoError(t, err)
		if !ok {
			return ids
		}
		ids = append(ids, d.MessageId)
		require.NoError(t, d.Ack(false))
	}
}

func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", prefix, i)
	}
	return out
}
