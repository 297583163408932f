package testenv

import (
	"context"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/order-saga/shop/internal/rabbitmq"
)

// Listen declares exchange, binds an exclusive queue of the test's own to it for each routing-key
// pattern, and returns the deliveries (auto-acked). The exchange is deleted when the test ends.
func Listen(t testing.TB, exchange string, keys ...string) <-chan amqp.Delivery {
	t.Helper()
	conn, err := amqp.Dial(RabbitMQURL(t))
	if err != nil {
		t.Fatalf("testenv: rabbitmq: %v (%s)", err, hint)
	}
	t.Cleanup(func() { _ = conn.Close() })
	must(t, rabbitmq.DeclareExchange(context.Background(), conn, exchange, Logger()))
	CleanupExchange(t, exchange)
	ch, err := conn.Channel()
	must(t, err)
	q, err := ch.QueueDeclare("", false, true, true, false, nil)
	must(t, err)
	for _, k := range keys {
		must(t, ch.QueueBind(q.Name, k, exchange, false, nil))
	}
	d, err := ch.Consume(q.Name, "", true, true, false, false, nil)
	must(t, err)
	return d
}

// CleanupExchange deletes, when the test ends, an events exchange of the test's own together with its
// alternate exchange and the quorum queue that keeps its unrouted messages (quorum queues are not
// cheap enough to leave one behind per test on a shared broker).
func CleanupExchange(t testing.TB, exchange string) {
	t.Helper()
	url := RabbitMQURL(t)
	t.Cleanup(func() {
		conn, err := amqp.Dial(url)
		if err != nil {
			t.Logf("testenv: cleanup of exchange %s: %v", exchange, err)
			return
		}
		defer conn.Close()
		ch, err := conn.Channel()
		if err != nil {
			t.Logf("testenv: cleanup of exchange %s: %v", exchange, err)
			return
		}
		for _, err := range []error{
			ch.ExchangeDelete(exchange, false, false),
			ch.ExchangeDelete(rabbitmq.Unrouted(exchange), false, false),
			func() error { _, err := ch.QueueDelete(rabbitmq.Unrouted(exchange), false, false, false); return err }(),
		} {
			if err != nil {
				t.Logf("testenv: cleanup of exchange %s: %v", exchange, err)
			}
		}
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
}
