package testenv

import (
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
	ch, err := conn.Channel()
	must(t, err)
	must(t, rabbitmq.DeclareExchange(ch, exchange))
	t.Cleanup(func() { _ = ch.ExchangeDelete(exchange, false, false) })
	q, err := ch.QueueDeclare("", false, true, true, false, nil)
	must(t, err)
	for _, k := range keys {
		must(t, ch.QueueBind(q.Name, k, exchange, false, nil))
	}
	d, err := ch.Consume(q.Name, "", true, true, false, false, nil)
	must(t, err)
	return d
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
}
