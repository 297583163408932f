//go:build integration

package inventory_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/internal/rabbitmq"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/inventory"
)

// brokerDown is a fake of the Events port (below it, for this test) whose broker never takes anything.
type brokerDown struct{}

func (brokerDown) Publish(context.Context, domain.Event) error {
	return errors.New("broker unreachable")
}

// TestOutboxKeepsEventsTheBrokerRefused: changes made over HTTP while the broker is away keep their
// events in the outbox (MongoDB), and the relay publishes them, unchanged, once it is back.
func TestOutboxKeepsEventsTheBrokerRefused(t *testing.T) {
	ctx := context.Background()
	inv := testenv.NewInventory(t) // its Service publishes to a real exchange of this test
	db := testenv.Database(t)
	outbox := mongodb.NewOutbox(db)
	cut := inventory.NewService(inv.Catalog, inv.Ledger, inv.Reservations, brokerDown{}, time.Now, testenv.Logger()).WithOutbox(outbox)

	price, err := domain.ParseMoney("12.00", "USD")
	require.NoError(t, err)
	_, err = cut.CreateProduct(ctx, inventory.NewProduct{Code: "OB-1", Name: "Lamp", Price: price, Quantity: 3})
	require.NoError(t, err, "the change is stored although the broker is away")
	_, err = cut.SetStock(ctx, "OB-1", 7)
	require.NoError(t, err)

	pending, err := outbox.Pending(ctx, 10)
	require.NoError(t, err)
	ids := []string{}
	for _, e := range pending {
		ids = append(ids, e.ID)
	}
	require.Equal(t, []string{"product-created/OB-1", "stock/OB-1#1", "stock/OB-1#2"}, ids, "kept, oldest first")
	require.NoError(t, outbox.Add(ctx, pending[0]), "keeping the same event again changes nothing")
	again, err := outbox.Pending(ctx, 10)
	require.NoError(t, err)
	require.Len(t, again, 3)

	// The broker is back: a relay with a real publisher sends them, as they were made.
	events := testenv.Listen(t, inv.Exchange, "inventory.#")
	relay := inv.Service.WithOutbox(outbox)
	n, err := relay.RelayOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	for _, want := range ids {
		select {
		case d := <-events:
			require.Equal(t, want, d.MessageId)
			var e struct {
				Data inventory.MovementData `json:"data"`
			}
			require.NoError(t, json.Unmarshal(d.Body, &e))
			if want == "stock/OB-1#2" {
				require.Equal(t, int64(7), e.Data.OnHand, "the data went out as it was made")
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("event %s never arrived", want)
		}
	}
	left, err := outbox.Pending(ctx, 10)
	require.NoError(t, err)
	require.Empty(t, left, "published events leave the outbox")
}

// TestUnroutableEventsAreNotLost: on an events exchange with no queue bound and no alternate
// exchange to keep what nobody takes (as one declared by the earlier version), a publish fails with
// rabbitmq.ErrUnroutable instead of counting as delivered. The inventory's callers then keep the
// event: a change made over HTTP leaves it in the outbox, a saga step fails (Temporal retries it).
// Once a queue is bound, the relay and the retried step publish it.
func TestUnroutableEventsAreNotLost(t *testing.T) {
	ctx := context.Background()
	inv := testenv.NewInventory(t) // for its stores; its own publisher is not used
	exchange := testenv.UniqueName(t, "test.events")
	testenv.CleanupExchange(t, exchange)
	conn, err := amqp.Dial(testenv.RabbitMQURL(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	ch, err := conn.Channel()
	require.NoError(t, err)
	require.NoError(t, ch.ExchangeDeclare(exchange, amqp.ExchangeTopic, true, false, false, false, nil))
	pub, err := rabbitmq.NewPublisher(ctx, testenv.RabbitMQURL(t), exchange, testenv.Logger())
	require.NoError(t, err)
	t.Cleanup(func() { _ = pub.Close() })
	outbox := mongodb.NewOutbox(testenv.Database(t))
	svc := inventory.NewService(inv.Catalog, inv.Ledger, inv.Reservations, rabbitmq.Events{Publisher: pub}, time.Now, testenv.Logger()).
		WithOutbox(outbox)

	price, err := domain.ParseMoney("5.00", "USD")
	require.NoError(t, err)
	_, err = svc.CreateProduct(ctx, inventory.NewProduct{Code: "UR-1", Name: "Kettle", Price: price, Quantity: 4})
	require.NoError(t, err, "the change is stored although nobody takes its event")
	pending, err := outbox.Pending(ctx, 10)
	require.NoError(t, err)
	require.Len(t, pending, 2, "product created and its stock: both kept in the outbox")

	_, err = svc.Reserve(ctx, "ur-order", []inventory.LineRequest{{ProductCode: "UR-1", Quantity: 1}})
	require.ErrorIs(t, err, rabbitmq.ErrUnroutable, "a saga step fails, so that Temporal retries it")

	events := testenv.Listen(t, exchange, "inventory.#") // a subscriber binds its queue
	n, err := svc.RelayOnce(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	_, err = svc.Reserve(ctx, "ur-order", []inventory.LineRequest{{ProductCode: "UR-1", Quantity: 1}})
	require.NoError(t, err, "the retried step publishes")
	got := []string{}
	for len(got) < 3 {
		select {
		case d := <-events:
			got = append(got, d.MessageId)
		case <-time.After(10 * time.Second):
			t.Fatalf("only %v arrived", got)
		}
	}
	require.Equal(t, []string{pending[0].ID, pending[1].ID, "stock/UR-1#2"}, got)
	left, err := outbox.Pending(ctx, 10)
	require.NoError(t, err)
	require.Empty(t, left)
}
