//go:build integration

package inventory_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/inventory"
)

type envelope struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Source  string          `json:"source"`
	Subject string          `json:"subject"`
	Data    json.RawMessage `json:"data"`
}

func next(t *testing.T, d <-chan amqp.Delivery) (amqp.Delivery, envelope) {
	t.Helper()
	select {
	case m := <-d:
		var e envelope
		require.NoError(t, json.Unmarshal(m.Body, &e))
		require.Equal(t, m.MessageId, e.ID, "the envelope id is the AMQP message-id")
		require.Equal(t, m.RoutingKey, e.Type, "the type is the routing key")
		return m, e
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
		return amqp.Delivery{}, envelope{}
	}
}

func TestMovementsPublishEventsWithDeterministicIDs(t *testing.T) {
	inv := testenv.NewInventory(t)
	events := testenv.Listen(t, inv.Exchange, "inventory.#")
	ctx := context.Background()
	price, _ := domain.ParseMoney("4", "USD")
	_, err := inv.Service.CreateProduct(ctx, inventory.NewProduct{Code: "EV-1", Name: "Evented", Price: price, Quantity: 8, LowStockThreshold: 5})
	require.NoError(t, err)

	_, e := next(t, events)
	require.Equal(t, domain.EventProductCreated, e.Type)
	require.Equal(t, "product-created/EV-1", e.ID)
	require.Equal(t, inventory.Source, e.Source)
	require.Equal(t, "EV-1", e.Subject)
	_, e = next(t, events)
	require.Equal(t, domain.EventStockAdjusted, e.Type, "the initial receipt")
	require.Equal(t, "stock/EV-1#1", e.ID)

	// Reserving 4 of 8 takes available from 8 to 4, across the threshold of 5.
	_, err = inv.Service.Reserve(ctx, "o-ev", []inventory.LineRequest{{ProductCode: "EV-1", Quantity: 4}})
	require.NoError(t, err)
	m, e := next(t, events)
	require.Equal(t, domain.EventStockReserved, e.Type)
	require.Equal(t, "stock/EV-1#2", e.ID)
	require.Equal(t, uint8(amqp.Persistent), m.DeliveryMode)
	var data inventory.MovementData
	require.NoError(t, json.Unmarshal(e.Data, &data))
	require.Equal(t, inventory.MovementData{ProductCode: "EV-1", Seq: 2, Kind: "reservation", Quantity: 4, OrderID: "o-ev", OnHand: 8, Reserved: 4, Available: 4}, data)
	_, e = next(t, events)
	require.Equal(t, domain.EventStockLow, e.Type)
	require.Equal(t, "stock-low/EV-1#2", e.ID)

	// Releasing and committing raise no low-stock alarm.
	_, err = inv.Service.Commit(ctx, "o-ev")
	require.NoError(t, err)
	_, e = next(t, events)
	require.Equal(t, domain.EventStockCommitted, e.Type)
	require.Equal(t, "stock/EV-1#3", e.ID)

	_, err = inv.Service.SetStock(ctx, "EV-1", 10)
	require.NoError(t, err)
	_, e = next(t, events)
	require.Equal(t, domain.EventStockAdjusted, e.Type)
	require.Equal(t, "stock/EV-1#4", e.ID)

	select {
	case m := <-events:
		t.Fatalf("unexpected event %s", m.MessageId)
	case <-time.After(300 * time.Millisecond):
	}
}
