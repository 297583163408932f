//go:build integration

package projector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/elasticsearch"
	"github.com/order-saga/shop/internal/rabbitmq"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/inventory"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/projector"
)

// stack is a projector on queues, an exchange and indices of the test's own.
type stack struct {
	sub      rabbitmq.Subscription
	events   rabbitmq.Events
	products *elasticsearch.Products // read directly, not through the projector's connection
	orders   *elasticsearch.Orders
	ch       *amqp.Channel
}

// startProjector runs the projector until the test ends, talking to Elasticsearch at esURL.
func startProjector(t testing.TB, esURL string, prefetch int) stack {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })

	direct := testenv.Elasticsearch(t)
	productsAlias, ordersAlias := testenv.SearchAlias(t, "products"), testenv.SearchAlias(t, "orders")
	s := stack{
		sub: rabbitmq.Subscription{
			Exchange: testenv.UniqueName(t, "test.events"), Queue: testenv.UniqueName(t, "projector"),
			Bindings: projector.Bindings, Prefetch: prefetch,
		},
		products: elasticsearch.NewProducts(direct, productsAlias),
		orders:   elasticsearch.NewOrders(direct, ordersAlias),
	}
	require.NoError(t, s.products.Ensure(ctx))
	require.NoError(t, s.orders.Ensure(ctx))

	conn, err := amqp.Dial(testenv.RabbitMQURL(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	s.ch, err = conn.Channel()
	require.NoError(t, err)
	testenv.CleanupExchange(t, s.sub.Exchange)
	require.NoError(t, rabbitmq.Declare(ctx, conn, s.sub, testenv.Logger()))
	t.Cleanup(func() {
		_, _ = s.ch.QueueDelete(s.sub.Queue, false, false, false)
		_, _ = s.ch.QueueDelete(s.sub.DeadLetterQueue(), false, false, false)
	})
	pub, err := rabbitmq.NewPublisher(ctx, testenv.RabbitMQURL(t), s.sub.Exchange, testenv.Logger())
	require.NoError(t, err)
	t.Cleanup(func() { _ = pub.Close() })
	s.events = rabbitmq.Events{Publisher: pub}

	client, err := elasticsearch.NewClient(esURL)
	require.NoError(t, err)
	rm := elasticsearch.ReadModel{Products: elasticsearch.NewProducts(client, productsAlias), Orders: elasticsearch.NewOrders(client, ordersAlias)}
	go func() {
		defer close(done)
		_ = rabbitmq.Consume(ctx, testenv.RabbitMQURL(t), s.sub,
			rabbitmq.RejectOn(projector.ErrPoison, projector.Handler(rm, elasticsearch.Permanent)), testenv.Logger())
	}()
	return s
}

func (s stack) publish(t testing.TB, events ...domain.Event) {
	t.Helper()
	for _, e := range events {
		require.NoError(t, s.events.Publish(context.Background(), e))
	}
}

func orderEvent(id string, seq int64, status domain.OrderStatus) domain.Event {
	return domain.Event{
		ID: "order/" + id + "/" + string(rune('0'+seq)), Type: "order." + string(status), OccurredAt: time.Now(),
		Source: "order-service", Subject: id, // not read by the projector
		Data: orders.Order{
			OrderID: id, CustomerID: "c-" + id, Status: status, Seq: seq,
			Lines: []orders.Line{{ProductCode: "P-" + id, Quantity: 1, UnitPriceMinor: 100, Currency: "USD"}},
		},
	}
}

func productEvent(code, name string, updated time.Time) domain.Event {
	return domain.Event{
		ID: "product/" + code + "/" + updated.String(), Type: domain.EventProductUpdated, OccurredAt: updated,
		Source: inventory.Source, Subject: code,
		Data: inventory.ProductData{ProductCode: code, Name: name, Price: "5.00", Currency: "USD", CreatedAt: updated, UpdatedAt: updated},
	}
}

func stockEvent(code string, seq, onHand, reserved int64) domain.Event {
	return domain.Event{
		ID: "stock/" + code + "#" + string(rune('0'+seq)), Type: domain.EventStockReserved, OccurredAt: time.Now(),
		Source: inventory.Source, Subject: code,
		Data: inventory.MovementData{ProductCode: code, Seq: seq, Kind: "reservation", OnHand: onHand, Reserved: reserved, Available: onHand - reserved},
	}
}

// findOrder returns the indexed order id, or a zero record.
func (s stack) findOrder(t *testing.T, id string) orders.Order {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, s.orders.Refresh(ctx))
	recs, err := s.orders.Search(ctx, orders.Query{Text: id, Limit: 5})
	require.NoError(t, err)
	if len(recs) == 0 {
		return orders.Order{}
	}
	return recs[0]
}

func (s stack) findProduct(t *testing.T, code string) inventory.ProductView {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, s.products.Refresh(ctx))
	views, err := s.products.Search(ctx, inventory.SearchQuery{Text: code, Limit: 5})
	require.NoError(t, err)
	if len(views) == 0 {
		return inventory.ProductView{}
	}
	return views[0]
}

// TestDuplicateAndLateEventsLeaveTheIndicesRight runs with a prefetch of one (an event at a time) and
// of the services' default (the events that have arrived, as batches).
func TestDuplicateAndLateEventsLeaveTheIndicesRight(t *testing.T) {
	for _, prefetch := range []int{1, 64} {
		t.Run(fmt.Sprintf("prefetch %d", prefetch), func(t *testing.T) { testDuplicateAndLateEvents(t, prefetch) })
	}
}

func testDuplicateAndLateEvents(t *testing.T, prefetch int) {
	s := startProjector(t, testenv.ElasticsearchURL(t), prefetch)
	t0 := time.Now().UTC().Truncate(time.Millisecond)

	s.publish(t,
		// An order's steps out of order, one twice.
		orderEvent("o1", 3, domain.StatusConfirmed),
		orderEvent("o1", 1, domain.StatusPending),
		orderEvent("o1", 2, domain.StatusReserved),
		orderEvent("o1", 3, domain.StatusConfirmed),
		// Stock before the product exists, then a late stock entry, then the product's update before
		// its creation.
		stockEvent("P1", 5, 10, 3),
		stockEvent("P1", 4, 10, 2),
		productEvent("P1", "Renamed lamp", t0.Add(time.Second)),
		productEvent("P1", "Lamp", t0),
		stockEvent("P1", 5, 10, 3),
		// A marker that arrives last: when it is indexed, everything before it was handled.
		orderEvent("marker", 1, domain.StatusPending),
	)
	require.Eventually(t, func() bool { return s.findOrder(t, "marker").OrderID == "marker" }, 30*time.Second, 200*time.Millisecond)

	o := s.findOrder(t, "o1")
	require.Equal(t, domain.StatusConfirmed, o.Status, "a late step never moves the order back")
	require.Equal(t, int64(3), o.Seq)
	p := s.findProduct(t, "P1")
	require.Equal(t, "Renamed lamp", p.Name, "the later update wins whatever the arrival order")
	require.Equal(t, domain.StockLevel{OnHand: 10, Reserved: 3}, p.Stock, "the later ledger entry wins")
}

func TestUnreadableMessagesAreDeadLettered(t *testing.T) {
	s := startProjector(t, testenv.ElasticsearchURL(t), 1)
	ctx := context.Background()
	for _, body := range []string{`not json`, `{"id":"x","type":"order.confirmed","data":{"orderId":42}}`} {
		require.NoError(t, s.ch.PublishWithContext(ctx, s.sub.Exchange, "order.confirmed", false, false,
			amqp.Publishing{ContentType: "application/json", Body: []byte(body)}))
	}
	s.publish(t, orderEvent("after", 1, domain.StatusPending))
	require.Eventually(t, func() bool { return s.findOrder(t, "after").OrderID == "after" }, 30*time.Second, 200*time.Millisecond,
		"a bad message does not hold up the ones behind it")
	require.Eventually(t, func() bool {
		q, err := s.ch.QueueDeclarePassive(s.sub.DeadLetterQueue(), true, false, false, false, nil)
		return err == nil && q.Messages == 2
	}, 10*time.Second, 100*time.Millisecond, "both bad messages wait in the dead-letter queue")
}

func TestMessagesWaitWhileElasticsearchIsAwayAndNothingIsLost(t *testing.T) {
	u, err := url.Parse(testenv.ElasticsearchURL(t))
	require.NoError(t, err)
	proxy := testenv.NewProxy(t, u.Host)
	s := startProjector(t, "http://"+proxy.Addr, 1)

	s.publish(t, orderEvent("before", 1, domain.StatusPending))
	require.Eventually(t, func() bool { return s.findOrder(t, "before").OrderID == "before" }, 30*time.Second, 200*time.Millisecond)

	proxy.Cut() // Elasticsearch is gone, as far as the projector can tell
	const n = 20
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "away" + string(rune('a'+i))
		s.publish(t, orderEvent(ids[i], 1, domain.StatusPending), orderEvent(ids[i], 2, domain.StatusReserved))
	}
	require.Eventually(t, func() bool {
		q, err := s.ch.QueueDeclarePassive(s.sub.Queue, true, false, false, false, nil)
		return err == nil && q.Messages >= 2*n-1 // all but the one in the projector's hands
	}, 10*time.Second, 100*time.Millisecond, "the messages wait in the queue")
	require.Empty(t, s.findOrder(t, ids[0]).OrderID, "nothing reached the index meanwhile")

	proxy.Restore()
	require.Eventually(t, func() bool {
		for _, id := range ids {
			if s.findOrder(t, id).Status != domain.StatusReserved {
				return false
			}
		}
		return true
	}, 60*time.Second, 500*time.Millisecond, "after Elasticsearch returns, every order catches up")
	q, err := s.ch.QueueDeclarePassive(s.sub.DeadLetterQueue(), true, false, false, false, nil)
	require.NoError(t, err)
	require.Zero(t, q.Messages, "nothing was dead-lettered for the outage")
}

// BenchmarkProjectOrderEvents reports how many order events a second the projector turns into
// documents (distinct orders, one transition each), from publish to searchable, with the production
// prefetch: go test -tags integration -run '^$' -bench Project -benchtime 2000x ./projector/
func BenchmarkProjectOrderEvents(b *testing.B) {
	s := startProjector(b, testenv.ElasticsearchURL(b), 64)
	ctx := context.Background()
	events := make([]domain.Event, b.N)
	for i := range events {
		events[i] = orderEvent(fmt.Sprintf("bench-%d", i), 1, domain.StatusPending)
	}
	b.ResetTimer()
	s.publish(b, events...)
	for {
		require.NoError(b, s.orders.Refresh(ctx))
		res, err := esapi.CountRequest{Index: []string{s.orders.Alias()}}.Do(ctx, testenv.Elasticsearch(b))
		require.NoError(b, err)
		var out struct {
			Count int `json:"count"`
		}
		require.NoError(b, json.NewDecoder(res.Body).Decode(&out))
		res.Body.Close()
		if out.Count >= b.N {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
