//go:build integration

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/internal/elasticsearch"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/orders"
)

// startSearchSystem is the whole shop with the Elasticsearch read model: the services search through
// it and a projector process keeps it, on indices and a queue of this test's own.
func startSearchSystem(t *testing.T, esURL string, extraEnv ...string) (s *system, prefix, queue string) {
	t.Helper()
	prefix = testenv.SearchAlias(t, "e2e") + "-" // indices <prefix>products-*, deleted at the end
	queue = testenv.UniqueName(t, "e2e.projector")
	projectorAddr := freeAddr(t)
	env := []string{"ELASTICSEARCH_URL=" + esURL, "SEARCH_INDEX_PREFIX=" + prefix,
		"PROJECTOR_QUEUE=" + queue, "PROJECTOR_ADDR=" + projectorAddr,
		"LOG_LEVEL=debug"} // saga steps log their successes at debug: tests look for them in Elasticsearch
	s = startSystem(t, append(env, extraEnv...)...)
	t.Cleanup(func() {
		conn, err := amqp.Dial(testenv.RabbitMQURL(t))
		if err != nil {
			return
		}
		defer conn.Close()
		if ch, err := conn.Channel(); err == nil {
			_, _ = ch.QueueDelete(queue, false, false, false)
			_, _ = ch.QueueDelete(queue+".dead", false, false, false)
		}
	})
	s.urls["projector"] = "http://" + projectorAddr
	s.start("projector", "projector")
	s.waitReady("projector")
	return s, prefix, queue
}

// searchCodes returns the product codes a catalogue search answers with.
func (s *system) searchCodes(query string) []string {
	s.t.Helper()
	r := s.call("inventory", "GET", "/api/v1/inventory?"+query, "")
	require.Equal(s.t, http.StatusOK, r.status, string(r.raw))
	var page []struct {
		ProductCode string `json:"productCode"`
	}
	require.NoError(s.t, json.Unmarshal(r.raw, &page))
	codes := []string{}
	for _, p := range page {
		codes = append(codes, p.ProductCode)
	}
	return codes
}

func TestE2ESearchReadModel(t *testing.T) {
	s, _, queue := startSearchSystem(t, testenv.ElasticsearchURL(t))
	// The projector declares its queues as quorum queues, so the same declarations serve a cluster.
	for _, name := range []string{queue, queue + ".dead", s.exchange + ".unrouted"} {
		q, found := testenv.Queue(t, name)
		require.True(t, found, name)
		require.Equal(t, "quorum", q.Type, name)
	}
	r := s.call("inventory", "POST", "/api/v1/inventory",
		`{"productCode":"E2E-DESK","name":"Ergonomic Standing Desk","description":"Height-adjustable oak desk","quantity":3,"price":499.00}`)
	require.Equal(t, http.StatusCreated, r.status, string(r.raw))
	s.product("E2E-LAMP", 2, "25.00")

	// A new product is found by full-text search with a misspelt word, through Elasticsearch.
	require.Eventually(t, func() bool {
		return strings.Join(s.searchCodes("q="+url.QueryEscape("standng dsk")), ",") == "E2E-DESK"
	}, 20*time.Second, 250*time.Millisecond, "the new product is found with a misspelt query")
	// Its stock comes with a separate event (the receipt), which may land a moment later.
	require.Eventually(t, func() bool {
		return strings.Join(s.searchCodes("minPrice=100&inStock=true"), ",") == "E2E-DESK"
	}, 20*time.Second, 250*time.Millisecond, "price and stock filters")

	// An order placed over HTTP is found by the operators' search within seconds.
	customer := testenv.UniqueName(t, "cust")
	r = s.call("orders", "POST", "/api/v1/orders", `{"customerId":"`+customer+`","items":[{"productCode":"E2E-DESK","quantity":1}]}`)
	require.Equal(t, http.StatusCreated, r.status, string(r.raw))
	id := r.body["id"].(string)
	admin := []string{"Authorization", "Bearer " + adminToken}
	require.Eventually(t, func() bool {
		r := s.call("orders", "GET", "/api/v1/admin/orders?customerId="+url.QueryEscape(customer)+"&productCode=e2e-desk&status=CONFIRMED", "", admin...)
		return r.status == http.StatusOK && strings.Contains(string(r.raw), `"id":"`+id+`"`)
	}, 20*time.Second, 250*time.Millisecond, "the confirmed order is found by customer, product and status")
	r = s.call("orders", "GET", "/api/v1/admin/orders?q="+id, "", admin...)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	require.Contains(t, string(r.raw), `"id":"`+id+`"`, "and by its id")

	// The services' log records of this order are in Elasticsearch, found by its orderId: the saga
	// steps of both services, each with its activity and attempt.
	require.Eventually(t, func() bool {
		activities := orderLogActivities(t, id)
		// The RESERVED record rides with the authorization (RecordThenAuthorize); reserve and commit go
		// through the inventory's API, as local activities of the order worker.
		return activities["ReserveStockViaAPI"] && activities["CommitStockViaAPI"] && activities["RecordThenAuthorize"] && activities["CapturePayment"]
	}, 30*time.Second, 500*time.Millisecond, "the order's log records reach Elasticsearch")

	// The stock the read model shows follows the ledger: 3 − 1 sold.
	var last string
	require.Eventually(t, func() bool {
		r := s.call("inventory", "GET", "/api/v1/inventory?q=ergonomic", "")
		last = string(r.raw)
		return strings.Contains(last, `"quantity":2,"reserved":0,"available":2`)
	}, 20*time.Second, 250*time.Millisecond, "the read model's stock follows the ledger: %s", &last)

	// reindex rebuilds both indices from MongoDB; searches answer the same afterwards.
	out, err := runShop(t, s, "reindex")
	require.NoError(t, err, out)
	require.Contains(t, out, "products: 2 documents")
	require.Contains(t, out, "orders: 1 documents")
	require.Equal(t, []string{"E2E-DESK"}, s.searchCodes("q=standng"))
}

// runShop runs a one-shot command of the binary with the system's environment.
func runShop(t *testing.T, s *system, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, args...)
	cmd.Env = s.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// orderLogActivities returns the activities named by the shipped log records of an order.
func orderLogActivities(t *testing.T, orderID string) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	for _, rec := range testenv.OrderLogs(t, orderID) {
		require.Equal(t, orderID, rec["orderId"])
		if a, ok := rec["activity"].(string); ok { // a saga step's record, not the HTTP layer's
			require.Equal(t, "order-"+orderID, rec["workflowId"])
			require.NotNil(t, rec["attempt"], "every saga step record carries its attempt")
			seen[a] = true
		}
	}
	return seen
}

// TestE2EOrdersFlowWhileElasticsearchIsAway takes Elasticsearch away from every process of the system
// (they reach it through a proxy that the test cuts): orders still go through, operator search answers
// from MongoDB, the projector's messages wait in its queue, and once Elasticsearch is back the index
// catches up with every order.
func TestE2EOrdersFlowWhileElasticsearchIsAway(t *testing.T) {
	u, err := url.Parse(testenv.ElasticsearchURL(t))
	require.NoError(t, err)
	proxy := testenv.NewProxy(t, u.Host)
	// One message in the projector's hands at a time, so the rest are visibly ready in the queue.
	s, prefix, queue := startSearchSystem(t, "http://"+proxy.Addr, "PROJECTOR_PREFETCH=1")
	s.product("E2E-AWAY", 10, "3.00")
	admin := []string{"Authorization", "Bearer " + adminToken}
	customer := testenv.UniqueName(t, "away")

	proxy.Cut()
	const n = 5
	ids := make([]string, n)
	for i := range ids {
		r := s.call("orders", "POST", "/api/v1/orders", `{"customerId":"`+customer+`","items":[{"productCode":"E2E-AWAY","quantity":1}]}`)
		require.Equal(t, http.StatusCreated, r.status, "orders flow without Elasticsearch: %s", r.raw)
		ids[i] = r.body["id"].(string)
	}
	r := s.call("orders", "GET", "/api/v1/admin/orders?customerId="+url.QueryEscape(customer), "", admin...)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	for _, id := range ids {
		require.Contains(t, string(r.raw), id, "operator search answers from MongoDB meanwhile")
	}
	conn, err := amqp.Dial(testenv.RabbitMQURL(t))
	require.NoError(t, err)
	defer conn.Close()
	ch, err := conn.Channel()
	require.NoError(t, err)
	q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
	require.NoError(t, err)
	require.Positive(t, q.Messages, "the projector's messages wait in its queue")

	proxy.Restore()
	index := elasticsearch.NewOrders(testenv.Elasticsearch(t), prefix+elasticsearch.OrdersAlias)
	require.Eventually(t, func() bool {
		if index.Refresh(context.Background()) != nil {
			return false
		}
		recs, err := index.Search(context.Background(), orders.Query{CustomerID: customer, Status: "CONFIRMED", Limit: 100})
		return err == nil && len(recs) == n
	}, 60*time.Second, 500*time.Millisecond, "after Elasticsearch returns, the index has every order, CONFIRMED")
	dead, err := ch.QueueDeclarePassive(queue+".dead", true, false, false, false, nil)
	require.NoError(t, err)
	require.Zero(t, dead.Messages, "nothing was dead-lettered for the outage")
}
