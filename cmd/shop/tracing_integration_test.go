//go:build integration

package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/internal/testenv"
)

// tracingURLs are where the stack's trace store (Jaeger: OTLP in, query API) and trace UI (Zipkin)
// answer; JAEGER_URL, JAEGER_OTLP_HTTP_PORT and ZIPKIN_URL move them, as for scripts/stack.sh.
func tracingURLs() (jaegerQuery, otlpHTTP, zipkin string) {
	jaegerQuery, zipkin = os.Getenv("JAEGER_URL"), os.Getenv("ZIPKIN_URL")
	if jaegerQuery == "" {
		jaegerQuery = "http://127.0.0.1:16686"
	}
	if zipkin == "" {
		zipkin = "http://127.0.0.1:9411"
	}
	port := os.Getenv("JAEGER_OTLP_HTTP_PORT")
	if port == "" {
		port = "4318"
	}
	return jaegerQuery, "http://127.0.0.1:" + port, zipkin
}

// requireAnswers fails the test at once, saying how to start it, when url does not answer 200.
func requireAnswers(t *testing.T, what, url string) {
	t.Helper()
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err == nil {
		resp.Body.Close()
	}
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s does not answer at %s (%v): `make stack-up` starts it, or scripts/stack.sh up jaeger zipkin", what, url, err)
	}
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// jaegerSpan is a span as Jaeger's query API (/api/traces/{id}) returns it.
type jaegerSpan struct {
	SpanID        string `json:"spanID"`
	OperationName string `json:"operationName"`
	ProcessID     string `json:"processID"`
	References    []struct {
		RefType string `json:"refType"`
		SpanID  string `json:"spanID"`
	} `json:"references"`
	Tags []struct {
		Key   string `json:"key"`
		Value any    `json:"value"`
	} `json:"tags"`
}

type jaegerTrace struct {
	Spans     []jaegerSpan `json:"spans"`
	Processes map[string]struct {
		ServiceName string `json:"serviceName"`
	} `json:"processes"`
}

// readTrace reads the trace back from Jaeger (stored in Elasticsearch); nil while it is not there.
func readTrace(t *testing.T, jaegerURL, traceID string) *jaegerTrace {
	t.Helper()
	resp, err := http.Get(jaegerURL + "/api/traces/" + traceID)
	require.NoError(t, err)
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil
	}
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var body struct {
		Data []jaegerTrace `json:"data"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	if len(body.Data) == 0 {
		return nil
	}
	return &body.Data[0]
}

// operations lists "service: operation" of every span, sorted, for assertions and failure messages.
func (tr *jaegerTrace) operations() []string {
	var ops []string
	for _, s := range tr.Spans {
		ops = append(ops, tr.Processes[s.ProcessID].ServiceName+": "+s.OperationName)
	}
	sort.Strings(ops)
	return ops
}

// TestTraceOfAnOrderEndToEnd places an order with a traceparent of the test's own through the real
// services (order, inventory, payment sandbox, projector as processes, exporting to the stack's
// Jaeger), and reads the trace back: the HTTP request, the saga's run, each activity, the payment call,
// each event's publish and the projector's handling of it are spans of that one trace, connected to
// one another, every event on the broker carried the trace in its traceparent header, and the order's
// log records in Elasticsearch carry its trace_id.
func TestTraceOfAnOrderEndToEnd(t *testing.T) {
	jaegerURL, otlpURL, zipkinURL := tracingURLs()
	requireAnswers(t, "Jaeger's query API", jaegerURL+"/api/services")
	requireAnswers(t, "Zipkin (the trace UI)", zipkinURL+"/health")

	s, _, _ := startSearchSystem(t, testenv.ElasticsearchURL(t),
		"OTEL_TRACES_EXPORTER=otlp", "OTEL_EXPORTER_OTLP_ENDPOINT="+otlpURL,
		"OTEL_EXPORTER_ZIPKIN_ENDPOINT="+zipkinURL+"/api/v2/spans",
		"OTEL_BSP_SCHEDULE_DELAY=200") // export within a fifth of a second, not five
	s.product("TRACE-A", 10, "4.50")
	events := testenv.Listen(t, s.exchange, "order.#", "inventory.stock.#")

	traceID, callerSpan := randomHex(t, 16), randomHex(t, 8)
	traceparent := "00-" + traceID + "-" + callerSpan + "-01"
	r := s.call("orders", "POST", "/api/v1/orders", `{"customerId":"trace-1","items":[{"productCode":"TRACE-A","quantity":2}]}`,
		"traceparent", traceparent)
	require.Equal(t, http.StatusCreated, r.status, string(r.raw))
	orderID := r.body["id"].(string)

	// Every event of the order carries the placing request's trace.
	got := map[string]string{} // routing key -> traceparent
	deadline := time.After(20 * time.Second)
	for len(got) < 5 { // order.placed, stock reserved, order.reserved, stock committed, order.confirmed
		select {
		case m := <-events:
			if !strings.Contains(string(m.Body), orderID) {
				continue
			}
			tp, _ := m.Headers["traceparent"].(string)
			got[m.RoutingKey] = tp
		case <-deadline:
			t.Fatalf("events of order %s missing; got %v", orderID, got)
		}
	}
	for key, tp := range got {
		require.Regexp(t, "^00-"+traceID+"-[0-9a-f]{16}-01$", tp, "the traceparent of %s carries the order's trace", key)
	}

	// Fulfilling ends the saga, and so its run's span; this request joins the trace too.
	r = s.call("orders", "POST", "/api/v1/orders/"+orderID+"/fulfill", "", "traceparent", "00-"+traceID+"-"+randomHex(t, 8)+"-01")
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	requireEvent(t, events, orderID, "order.completed")

	want := []string{
		"orders: POST /api/v1/orders",
		"orders: RunWorkflow:OrderSaga",
		// Reserve and commit: local activities of the order worker, through the inventory's API.
		"orders: StartActivity:ReserveStockViaAPI",
		"orders: RunActivity:ReserveStockViaAPI",
		"orders: PUT /api/v1/reservations/{orderId}",
		"inventory: PUT /api/v1/reservations/{orderId}",
		"orders: RunActivity:CommitStockViaAPI",
		"orders: POST /api/v1/reservations/{orderId}/commit",
		"inventory: POST /api/v1/reservations/{orderId}/commit",
		"orders: POST /v1/payments/authorize",
		"payments: POST /v1/payments/authorize",
		"orders: POST /v1/payments/{orderId}/capture",
		"payments: POST /v1/payments/{orderId}/capture",
		"orders: publish order.placed",
		"inventory: publish inventory.stock.reserved",
		"orders: publish order.reserved",
		"inventory: publish inventory.stock.committed",
		"orders: publish order.confirmed",
		"orders: publish order.completed",
		"projector: process order.placed",
		"projector: process inventory.stock.reserved",
		"projector: process order.reserved",
		"projector: process inventory.stock.committed",
		"projector: process order.confirmed",
		"projector: process order.completed",
		"orders: POST /api/v1/orders/{id}/fulfill",
	}
	var tr *jaegerTrace
	require.Eventuallyf(t, func() bool {
		tr = readTrace(t, jaegerURL, traceID)
		if tr == nil {
			return false
		}
		ops := tr.operations()
		for _, w := range want {
			if !slices.Contains(ops, w) {
				return false
			}
		}
		return true
	}, 60*time.Second, 500*time.Millisecond, "the trace in Jaeger lacks spans; want %v, got %v", want, func() []string {
		if tr == nil {
			return nil
		}
		return tr.operations()
	}())
	ops := tr.operations()
	for _, prefix := range []string{"orders: RunActivity:RecordOrder", "orders: RunActivity:AuthorizePayment|orders: RunActivity:RecordThenAuthorize", "orders: RunActivity:CapturePayment"} {
		alternatives := strings.Split(prefix, "|")
		require.True(t, slices.ContainsFunc(ops, func(op string) bool { return slices.Contains(alternatives, op) }),
			"an activity span %s in %v", prefix, ops)
	}

	// One tree: every span's parent is in the trace, but for the caller's span the requests named.
	ids := map[string]bool{}
	for _, sp := range tr.Spans {
		ids[sp.SpanID] = true
	}
	for _, sp := range tr.Spans {
		for _, ref := range sp.References {
			if ref.RefType == "CHILD_OF" && !ids[ref.SpanID] {
				require.True(t, strings.HasPrefix(sp.OperationName, "POST /api/v1/orders"),
					"span %q has a parent %s outside the trace (%d spans: %v)", sp.OperationName, ref.SpanID, len(tr.Spans), ops)
			}
		}
	}

	// The order's log records in Elasticsearch carry the trace: the trace and the logs join on trace_id.
	require.Eventually(t, func() bool {
		services := map[string]bool{}
		for _, rec := range testenv.OrderLogs(t, orderID) {
			if rec["trace_id"] == traceID {
				services[fmt.Sprint(rec["service"])] = true
			}
		}
		return services["orders"] && services["inventory"]
	}, 30*time.Second, 500*time.Millisecond, "the order's log records of both services carry trace_id %s", traceID)

	// The trace UI (Zipkin) has it too.
	require.Eventually(t, func() bool {
		resp, err := http.Get(zipkinURL + "/api/v2/trace/" + traceID)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var spans []map[string]any
		return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&spans) == nil && len(spans) >= len(want)
	}, 30*time.Second, 500*time.Millisecond, "Zipkin shows the trace")
	t.Logf("trace %s: %d spans; Zipkin UI %s/zipkin/traces/%s", traceID, len(tr.Spans), zipkinURL, traceID)
}

// requireEvent waits for the event with routing key key about orderID.
func requireEvent(t *testing.T, events <-chan amqp.Delivery, orderID, key string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case m := <-events:
			if m.RoutingKey == key && strings.Contains(string(m.Body), orderID) {
				return
			}
		case <-deadline:
			t.Fatal(fmt.Sprintf("no %s event for order %s", key, orderID))
		}
	}
}
