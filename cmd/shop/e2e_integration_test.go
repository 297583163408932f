//go:build integration

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/order-saga/shop/internal/testenv"
)

// system is the whole shop running as real processes of the real binary against the local stack:
// the payment sandbox, the inventory service and the order service, each with databases and an
// events exchange of this test's own.
type system struct {
	t        *testing.T
	bin      string
	env      []string
	procs    map[string]*exec.Cmd
	urls     map[string]string
	exchange string
	invDB    string
	ordDB    string
	// ordersQueue is the task queue of this system's sagas.
	ordersQueue string
}

const (
	adminToken = "e2e-admin-token"
	stockToken = "e2e-stock-token"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// shopBinary builds cmd/shop once per test binary; SHOP_BIN names another build to run instead (to
// measure an older one, say).
func shopBinary(t *testing.T) string {
	if bin := os.Getenv("SHOP_BIN"); bin != "" {
		return bin
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "shop-e2e")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "shop")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return binPath
}

func startSystem(t *testing.T, extraEnv ...string) *system {
	t.Helper()
	testenv.Config(t)
	s := &system{t: t, bin: shopBinary(t), procs: map[string]*exec.Cmd{}, urls: map[string]string{}}
	s.exchange = testenv.UniqueName(t, "e2e.events")
	testenv.CleanupExchange(t, s.exchange)
	s.invDB = testenv.UniqueName(t, "e2e_inv")
	s.ordDB = testenv.UniqueName(t, "e2e_ord")
	s.ordersQueue = testenv.UniqueName(t, "orders")
	ordDB, payDB := s.ordDB, testenv.UniqueName(t, "e2e_pay")
	inv, ord, pay := freeAddr(t), freeAddr(t), freeAddr(t)
	s.urls = map[string]string{"inventory": "http://" + inv, "orders": "http://" + ord, "payments": "http://" + pay}
	s.env = append(os.Environ(),
		"INVENTORY_ADDR="+inv, "ORDERS_ADDR="+ord, "PAYMENTS_ADDR="+pay, "PAYMENTS_URL=http://"+pay,
		"INVENTORY_DB="+s.invDB, "ORDERS_DB="+ordDB, "PAYMENTS_DB="+payDB,
		"EVENTS_EXCHANGE="+s.exchange, "ORDER_DECISION_WAIT=60s", "LOG_LEVEL=warn",
		// Queues of this test's own: a worker of `make run` on the same server never takes its tasks.
		"ORDERS_TASK_QUEUE="+s.ordersQueue, "INVENTORY_TASK_QUEUE="+testenv.UniqueName(t, "inventory"),
		"ADMIN_TOKEN="+adminToken, "INVENTORY_URL=http://"+inv, "STOCK_API_TOKEN="+stockToken)
	s.env = append(s.env, extraEnv...)
	t.Cleanup(func() {
		for name := range s.procs {
			s.stop(name, syscall.SIGKILL)
		}
		ctx := context.Background()
		for _, db := range []string{s.invDB, ordDB, payDB} {
			_ = testenv.Mongo(t).Database(db).Drop(ctx)
		}
	})
	s.start("payments", "payments")
	s.start("inventory", "inventory")
	s.start("orders", "orders")
	for _, name := range []string{"payments", "inventory", "orders"} {
		s.waitReady(name)
	}
	return s
}

// start runs `shop <args>` as the process called name.
func (s *system) start(name string, args ...string) {
	s.t.Helper()
	cmd := exec.Command(s.bin, args...)
	cmd.Env = s.env
	logFile, err := os.Create(filepath.Join(s.t.TempDir(), name+".log"))
	require.NoError(s.t, err)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(s.t, cmd.Start())
	s.procs[name] = cmd
}

// stop ends the process called name with sig and waits for it.
func (s *system) stop(name string, sig syscall.Signal) {
	cmd, ok := s.procs[name]
	if !ok {
		return
	}
	_ = cmd.Process.Signal(sig)
	_ = cmd.Wait()
	delete(s.procs, name)
}

func (s *system) waitReady(name string) {
	s.t.Helper()
	require.Eventually(s.t, func() bool {
		resp, err := http.Get(s.urls[name] + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 60*time.Second, 100*time.Millisecond, "%s never became ready", name)
}

type httpResult struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func (s *system) call(service, method, path, body string, headers ...string) httpResult {
	s.t.Helper()
	req, err := http.NewRequest(method, s.urls[service]+path, strings.NewReader(body))
	require.NoError(s.t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	r := httpResult{status: resp.StatusCode, header: resp.Header, raw: raw}
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		require.NoError(s.t, json.Unmarshal(raw, &r.body), string(raw))
	}
	return r
}

func (s *system) product(code string, qty int, price string) {
	s.t.Helper()
	r := s.call("inventory", "POST", "/api/v1/inventory",
		fmt.Sprintf(`{"productCode":%q,"name":"E2E %s","description":"","quantity":%d,"price":%s}`, code, code, qty, price))
	require.Equal(s.t, http.StatusCreated, r.status, string(r.raw))
}

func (s *system) stock(code string) (quantity, reserved, available float64) {
	s.t.Helper()
	r := s.call("inventory", "GET", "/api/v1/inventory/"+code, "")
	require.Equal(s.t, http.StatusOK, r.status)
	return r.body["quantity"].(float64), r.body["reserved"].(float64), r.body["available"].(float64)
}

// eventsOf collects the routing keys of events about subject until n have arrived.
func eventsOf(t *testing.T, d <-chan amqp.Delivery, subject string, n int) []string {
	t.Helper()
	return eventsBySubject(t, d, map[string]int{subject: n})[subject]
}

// eventsBySubject collects routing keys per subject (an order id, in the envelope's subject or its
// data's orderId) until each has as many as want says; other events are dropped, and so is a repeat of
// an event id (a retried publish), as every consumer drops it.
func eventsBySubject(t *testing.T, d <-chan amqp.Delivery, want map[string]int) map[string][]string {
	t.Helper()
	got := map[string][]string{}
	seen := map[string]bool{} // event ids: a retried publish repeats one, and consumers drop the repeat
	done := func() bool {
		for subj, n := range want {
			if len(got[subj]) < n {
				return false
			}
		}
		return true
	}
	deadline := time.After(20 * time.Second)
	for !done() {
		select {
		case m := <-d:
			if seen[m.MessageId] {
				continue
			}
			seen[m.MessageId] = true
			var env struct {
				Subject string `json:"subject"`
				Data    struct {
					OrderID string `json:"orderId"`
				} `json:"data"`
			}
			require.NoError(t, json.Unmarshal(m.Body, &env))
			for _, subj := range []string{env.Subject, env.Data.OrderID} {
				if _, ok := want[subj]; ok {
					got[subj] = append(got[subj], m.RoutingKey)
					break
				}
			}
		case <-deadline:
			t.Fatalf("events missing: want %v, got %v", want, got)
		}
	}
	return got
}

func TestE2EOrderConfirmedWithEventsAndStock(t *testing.T) {
	s := startSystem(t)
	s.product("E2E-A", 10, "12.34")
	s.product("E2E-B", 5, "0.99")
	events := testenv.Listen(t, s.exchange, "order.#", "inventory.stock.#")

	r := s.call("orders", "POST", "/api/v1/orders", `{"customerId":"cust-1","items":[{"productCode":"E2E-A","quantity":3},{"productCode":"E2E-B","quantity":2}]}`)
	require.Equal(t, http.StatusCreated, r.status, string(r.raw))
	id := r.body["id"].(string)
	require.Equal(t, "CONFIRMED", r.body["status"])
	require.Equal(t, 39.0, r.body["totalPrice"], "3 × 12.34 + 2 × 0.99")
	require.Contains(t, string(r.raw), `"totalPrice":39.00`, "an exact decimal, not a float sum")
	require.Equal(t, "/api/v1/orders/"+id, r.header.Get("Location"))

	keys := eventsOf(t, events, id, 7)
	require.Equal(t, []string{ // PENDING is recorded with RESERVED, once the stock is reserved
		"inventory.stock.reserved", "inventory.stock.reserved", "order.placed", "order.reserved",
		"inventory.stock.committed", "inventory.stock.committed",
		"order.confirmed",
	}, keys)

	q, res, avail := s.stock("E2E-A")
	require.Equal(t, []float64{7, 0, 7}, []float64{q, res, avail}, "3 shipped from 10")

	r = s.call("orders", "POST", "/api/v1/orders/"+id+"/fulfill", "")
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	require.Equal(t, "COMPLETED", r.body["status"])
	r = s.call("orders", "GET", "/api/v1/orders/"+id, "")
	require.Equal(t, "COMPLETED", r.body["status"])
	steps := r.body["steps"].([]any)
	require.Len(t, steps, 4)
	r = s.call("orders", "POST", "/api/v1/orders/"+id+"/cancel", "")
	require.Equal(t, http.StatusConflict, r.status, "a COMPLETED order cannot be cancelled")
}

func TestE2EDeclinedPaymentRestoresStock(t *testing.T) {
	s := startSystem(t)
	s.product("E2E-D", 4, "5")
	r := s.call("orders", "POST", "/api/v1/orders", `{"productCode":"E2E-D","quantity":3,"paymentToken":"tok_chargeDeclined"}`)
	require.Equal(t, http.StatusPaymentRequired, r.status, string(r.raw))
	require.Equal(t, "application/problem+json", r.header.Get("Content-Type"))
	id := r.body["orderId"].(string)
	r = s.call("orders", "GET", "/api/v1/orders/"+id, "")
	require.Equal(t, "FAILED", r.body["status"])
	require.Contains(t, r.body["reason"], "declined")
	q, res, avail := s.stock("E2E-D")
	require.Equal(t, []float64{4, 0, 4}, []float64{q, res, avail}, "the reservation was released")
}

func TestE2EConcurrentOrdersNeverOversell(t *testing.T) {
	s := startSystem(t)
	s.product("E2E-HOT", 30, "2")
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 100)
	for range 100 {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			resp, err := http.Post(s.urls["orders"]+"/api/v1/orders", "application/json",
				strings.NewReader(`{"productCode":"E2E-HOT","quantity":1}`))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	require.Equal(t, map[int]int{http.StatusCreated: 30, http.StatusConflict: 70}, statuses)
	q, res, avail := s.stock("E2E-HOT")
	require.Equal(t, []float64{0, 0, 0}, []float64{q, res, avail})
}

// TestE2EOrderWorkerKilledAfterReservation kills the order worker (SIGKILL) once an order is
// RESERVED, while the payment sandbox is down so that the saga cannot get further, then starts
// everything again: the saga completes with one reservation, one authorization and one capture.
func TestE2EOrderWorkerKilledAfterReservation(t *testing.T) {
	s := startSystem(t)
	s.product("E2E-K", 5, "3")
	s.stop("payments", syscall.SIGTERM)

	// The decision cannot come while payments are down, so the submission waits.
	id := s.placeAsync(`{"customerId":"e2e-kill","productCode":"E2E-K","quantity":2}`)
	s.waitStatus(id, "RESERVED")

	s.stop("orders", syscall.SIGKILL)
	s.start("payments", "payments")
	s.waitReady("payments")
	s.start("orders", "orders")
	s.waitReady("orders")

	require.Eventually(t, func() bool {
		got := s.call("orders", "GET", "/api/v1/orders/"+id, "")
		return got.body["status"] == "CONFIRMED"
	}, 90*time.Second, 200*time.Millisecond, "the saga resumed on the new worker")

	ctx := context.Background()
	n, err := testenv.Mongo(t).Database(s.invDB).Collection("stock_movements").CountDocuments(ctx, bson.D{{Key: "orderId", Value: id}, {Key: "kind", Value: "reservation"}})
	require.NoError(t, err)
	require.Equal(t, int64(1), n, "one reservation")
	n, err = testenv.Mongo(t).Database(s.invDB).Collection("stock_movements").CountDocuments(ctx, bson.D{{Key: "orderId", Value: id}, {Key: "kind", Value: "commit"}})
	require.NoError(t, err)
	require.Equal(t, int64(1), n, "one commit")
	p := s.call("payments", "GET", "/v1/payments/"+id, "")
	require.Equal(t, http.StatusOK, p.status)
	require.Equal(t, "CAPTURED", p.body["status"], "one authorization, captured once")
	require.Equal(t, 6.0, p.body["amount"])
	q, res, _ := s.stock("E2E-K")
	require.Equal(t, []float64{3, 0}, []float64{q, res})
}

func TestE2EOrderAPIRejectsBadInput(t *testing.T) {
	s := startSystem(t)
	s.product("E2E-V", 5, "1")
	tests := []struct {
		name, body, field string
		headers           []string
	}{
		{name: "malformed JSON", body: `{"items":`, field: "body"},
		{name: "unknown field", body: `{"items":[{"productCode":"E2E-V","quantity":1}],"coupon":"x"}`, field: "coupon"},
		{name: "no items", body: `{"items":[]}`, field: "items"},
		{name: "nothing at all", body: `{}`, field: "productCode"},
		{name: "both shapes", body: `{"items":[{"productCode":"E2E-V","quantity":1}],"productCode":"E2E-V","quantity":1}`, field: "items"},
		{name: "zero quantity", body: `{"items":[{"productCode":"E2E-V","quantity":0}]}`, field: "items[0].quantity"},
		{name: "fractional quantity", body: `{"productCode":"E2E-V","quantity":1.5}`, field: "quantity"},
		{name: "quantity as string", body: `{"productCode":"E2E-V","quantity":"1"}`, field: "quantity"},
		{name: "bad product code", body: `{"items":[{"productCode":"a#b","quantity":1}]}`, field: "items[0].productCode"},
		{name: "missing product code", body: `{"items":[{"quantity":1}]}`, field: "items[0].productCode"},
		{name: "customer id too long", body: `{"customerId":"` + strings.Repeat("c", 129) + `","productCode":"E2E-V","quantity":1}`, field: "customerId"},
		{name: "idempotency key too long", body: `{"productCode":"E2E-V","quantity":1}`, field: "Idempotency-Key", headers: []string{"Idempotency-Key", strings.Repeat("k", 256)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.call("orders", "POST", "/api/v1/orders", tt.body, tt.headers...)
			require.Equal(t, http.StatusBadRequest, r.status, string(r.raw))
			require.Equal(t, "application/problem+json", r.header.Get("Content-Type"))
			require.Contains(t, string(r.raw), `"field":"`+tt.field+`"`)
		})
	}
	for _, bad := range []struct{ query, field string }{{"limit=0", "limit"}, {"status=SHIPPED", "status"}, {"cursor=!!", "cursor"}} {
		r := s.call("orders", "GET", "/api/v1/orders?"+bad.query, "")
		require.Equal(t, http.StatusBadRequest, r.status, bad.query)
		require.Contains(t, string(r.raw), `"field":"`+bad.field+`"`)
	}
	r := s.call("orders", "GET", "/api/v1/orders", "")
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "[]", strings.TrimSpace(string(r.raw)), "no bad request started an order")
	q, _, _ := s.stock("E2E-V")
	require.Equal(t, 5.0, q)
	r = s.call("orders", "GET", "/api/v1/orders/nope", "")
	require.Equal(t, http.StatusNotFound, r.status)
	r = s.call("orders", "POST", "/api/v1/orders/nope/fulfill", "")
	require.Equal(t, http.StatusNotFound, r.status)
	r = s.call("orders", "GET", "/api/docs/index.html", "")
	require.Equal(t, http.StatusOK, r.status)
}
