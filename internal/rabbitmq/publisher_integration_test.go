//go:build integration

package rabbitmq_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
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

	p := newPublisher(ctx, t, exchange)
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

	p := newPublisher(ctx, t, exchange)

	require.NoError(t, p.Publish(ctx, rabbitmq.Message{ID: "before", RoutingKey: "x.before", Body: []byte(`{}`)}))
	require.Equal(t, "before", receive(t, deliveries).MessageId)

	closeConnections(t, rabbitmq.ConnectionName(exchange))

	require.NoError(t, p.Publish(ctx, rabbitmq.Message{ID: "after", RoutingKey: "x.after", Body: []byte(`{}`)}))
	require.Equal(t, "after", receive(t, deliveries).MessageId)
	require.Eventually(t, func() bool { return p.Ping(ctx) == nil }, 10*time.Second, 100*time.Millisecond)
}

// TestPublishOutcomes publishes one message to a topology and expects it delivered, kept in the
// exchange's unrouted queue, or refused with ErrUnroutable: never confirmed while going nowhere.
func TestPublishOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name         string
		oldExchange  bool // declared beforehand as the earlier version did: no alternate exchange
		dropUnrouted bool // the alternate exchange's queue deleted
		key          string
		want         error
		wantIn       string // where the message lands: "listener", "unrouted" or nowhere
	}{
		{name: "a bound key is delivered", key: "order.placed", wantIn: "listener"},
		{name: "an unbound key waits in the unrouted queue", key: "nobody.listens", wantIn: "unrouted"},
		{name: "an unbound key with no unrouted queue is refused", key: "nobody.listens", dropUnrouted: true, want: rabbitmq.ErrUnroutable},
		{name: "earlier exchange: a bound key is delivered", oldExchange: true, key: "order.placed", wantIn: "listener"},
		{name: "earlier exchange: an unbound key is refused", oldExchange: true, key: "nobody.listens", want: rabbitmq.ErrUnroutable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			conn := dial(t)
			exchange := testenv.UniqueName(t, "test.events")
			if tc.oldExchange {
				ch, err := conn.Channel()
				require.NoError(t, err)
				require.NoError(t, ch.ExchangeDeclare(exchange, amqp.ExchangeTopic, true, false, false, false, nil))
			}
			deliveries := testenv.Listen(t, exchange, "order.*")
			if tc.dropUnrouted {
				ch, err := conn.Channel()
				require.NoError(t, err)
				_, err = ch.QueueDelete(rabbitmq.Unrouted(exchange), false, false, false)
				require.NoError(t, err)
			}
			p := newPublisher(ctx, t, exchange)
			if tc.dropUnrouted { // the publisher declared it again: take it away once more
				ch, err := conn.Channel()
				require.NoError(t, err)
				_, err = ch.QueueDelete(rabbitmq.Unrouted(exchange), false, false, false)
				require.NoError(t, err)
			}

			err := p.Publish(ctx, rabbitmq.Message{ID: "m-1", RoutingKey: tc.key, Type: tc.key, Body: []byte(`{}`)})
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				require.ErrorContains(t, err, tc.key, "the error names the routing key")
			} else {
				require.NoError(t, err)
			}
			switch tc.wantIn {
			case "listener":
				require.Equal(t, "m-1", receive(t, deliveries).MessageId)
			case "unrouted":
				require.Equal(t, []string{"m-1"}, takeAll(t, conn, rabbitmq.Unrouted(exchange)))
			}
			select {
			case d := <-deliveries:
				require.Failf(t, "unexpected delivery", "%s on %s", d.MessageId, d.RoutingKey)
			case <-time.After(200 * time.Millisecond):
			}
		})
	}
}

// TestConcurrentPublishesGetTheirOwnOutcome mixes routable and unroutable publishes on one
// publisher (one channel) and expects each to hear its own outcome: returns are matched to their
// publish, not to whichever confirm comes next. A second round runs on the channel of a new
// connection, after the broker dropped the first.
func TestConcurrentPublishesGetTheirOwnOutcome(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn := dial(t)
	exchange := testenv.UniqueName(t, "test.events")
	ch, err := conn.Channel()
	require.NoError(t, err)
	require.NoError(t, ch.ExchangeDeclare(exchange, amqp.ExchangeTopic, true, false, false, false, nil)) // no alternate exchange
	deliveries := testenv.Listen(t, exchange, "order.*")
	p := newPublisher(ctx, t, exchange)

	const n = 400
	for round := range 2 {
		if round == 1 {
			closeConnections(t, rabbitmq.ConnectionName(exchange))
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				key, id := "order.placed", fmt.Sprintf("routed-%d-%d", round, i)
				if i%2 == 1 {
					key, id = "nobody.listens", fmt.Sprintf("unroutable-%d-%d", round, i)
				}
				errs[i] = p.Publish(ctx, rabbitmq.Message{ID: id, RoutingKey: key, Body: []byte(`{}`)})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if i%2 == 1 {
				require.ErrorIs(t, err, rabbitmq.ErrUnroutable, "round %d, publish %d", round, i)
				require.ErrorContains(t, err, fmt.Sprintf("unroutable-%d-%d", round, i))
			} else {
				require.NoError(t, err, "round %d, publish %d", round, i)
			}
		}
		got := map[string]bool{}
		for len(got) < n/2 {
			got[receive(t, deliveries).MessageId] = true
		}
		for id := range got {
			require.Contains(t, id, fmt.Sprintf("routed-%d-", round))
		}
	}
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

// newPublisher opens a publisher to exchange on the stack's broker, closed when the test ends.
func newPublisher(ctx context.Context, t *testing.T, exchange string) *rabbitmq.Publisher {
	t.Helper()
	p, err := rabbitmq.NewPublisher(ctx, testenv.RabbitMQURL(t), exchange, testenv.Logger())
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, p.Close()) })
	return p
}
