//go:build integration

package rabbitmq_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/internal/rabbitmq"
	"github.com/order-saga/shop/internal/testenv"
)

func receive(t *testing.T, deliveries <-chan amqp.Delivery) amqp.Delivery {
	t.Helper()
	select {
	case d := <-deliveries:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no message arrived within 10s")
		return amqp.Delivery{}
	}
}

func TestPublishIsConfirmedAndConsumedBack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	exchange := testenv.UniqueName(t, "test.events")
	deliveries := testenv.Listen(t, exchange, "order.*")

	p, err := rabbitmq.NewPublisher(ctx, testenv.RabbitMQURL(t), exchange, testenv.Logger())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, p.Close()) })
	require.NoError(t, p.Ping(ctx))

	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	require.NoError(t, p.Publish(ctx, rabbitmq.Message{
		ID: "order-1/placed", RoutingKey: "order.placed", Type: "order.placed", Timestamp: at, Body: []byte(`{"orderId":"1"}`),
	}))

	d := receive(t, deliveries)
	require.Equal(t, "order-1/placed", d.MessageId)
	require.Equal(t, "order.placed", d.RoutingKey)
	require.Equal(t, "order.placed", d.Type)
	require.Equal(t, uint8(amqp.Persistent), d.DeliveryMode)
	require.Equal(t, "application/json", d.ContentType)
	require.True(t, at.Equal(d.Timestamp))
	require.JSONEq(t, `{"orderId":"1"}`, string(d.Body))
}

// TestPublisherRecoversFromDroppedConnection closes the publisher's connection from the broker's side
// (through the management API, as an operator or a broker restart would) and expects the next
// publish to go through on a new connection.
func TestPublisherRecoversFromDroppedConnection(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	exchange := testenv.UniqueName(t, "test.events")
	deliveries := testenv.Listen(t, exchange, "#")

	p, err := rabbitmq.NewPublisher(ctx, testenv.RabbitMQURL(t), exchange, testenv.Logger())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, p.Close()) })

	require.NoError(t, p.Publish(ctx, rabbitmq.Message{ID: "before", RoutingKey: "x.before", Body: []byte(`{}`)}))
	require.Equal(t, "before", receive(t, deliveries).MessageId)

	closeConnections(t, rabbitmq.ConnectionName(exchange))

	require.NoError(t, p.Publish(ctx, rabbitmq.Message{ID: "after", RoutingKey: "x.after", Body: []byte(`{}`)}))
	require.Equal(t, "after", receive(t, deliveries).MessageId)
	require.Eventually(t, func() bool { return p.Ping(ctx) == nil }, 10*time.Second, 100*time.Millisecond)
}

// closeConnections force-closes, through the management API, every broker connection whose client
// named itself name; it fails the test unless it closed at least one.
func closeConnections(t *testing.T, name string) {
	t.Helper()
	mgmt := "http://127.0.0.1:15672/api/connections"
	var closed int
	require.Eventually(t, func() bool { // the management API lists new connections after a short delay
		req, _ := http.NewRequest(http.MethodGet, mgmt, nil)
		req.SetBasicAuth("guest", "guest")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var conns []struct {
			Name             string `json:"name"`
			ClientProperties struct {
				ConnectionName string `json:"connection_name"`
			} `json:"client_properties"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&conns))
		for _, c := range conns {
			if c.ClientProperties.ConnectionName != name {
				continue
			}
			del, _ := http.NewRequest(http.MethodDelete, mgmt+"/"+url.PathEscape(c.Name), nil)
			del.SetBasicAuth("guest", "guest")
			del.Header.Set("X-Reason", "test: simulated connection drop")
			r, err := http.DefaultClient.Do(del)
			require.NoError(t, err)
			r.Body.Close()
			require.Equal(t, http.StatusNoContent, r.StatusCode, fmt.Sprintf("close %s", c.Name))
			closed++
		}
		return closed > 0
	}, 15*time.Second, 250*time.Millisecond, "no broker connection named %q", name)
}
