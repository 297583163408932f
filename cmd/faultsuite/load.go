package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Order statuses as the API shows them.
const (
	statusPending        = "PENDING"
	statusConfirmed      = "CONFIRMED"
	statusCompleted      = "COMPLETED"
	statusRejected       = "REJECTED"
	statusFailed         = "FAILED"
	statusCancelled      = "CANCELLED"
	statusNeedsAttention = "NEEDS_ATTENTION"
)

// terminal says whether an order has reached an end (CONFIRMED counts: nothing fulfils in the suite).
func terminal(status string) bool {
	switch status {
	case statusConfirmed, statusCompleted, statusRejected, statusFailed, statusCancelled:
		return true
	}
	return false
}

// committing says whether an order in this status keeps its stock (committed units).
func committing(status string) bool { return status == statusConfirmed || status == statusCompleted }

// orderPlan is one order a client places: the same key and body on every try.
type orderPlan struct {
	Key        string
	CustomerID string
	Lines      []orderLine
	Token      string
}

func (p orderPlan) body() map[string]any {
	return map[string]any{"customerId": p.CustomerID, "items": p.Lines, "paymentToken": p.Token}
}

// placement is what became of one plan.
type placement struct {
	Plan    orderPlan
	OrderID string // "" while (or if) the service never named one
	Answer  int    // HTTP status of the definite answer to the POST; 0 if none came
	Status  string // the newest status seen
	Posts   int    // POST attempts
	Polls   int    // GETs while waiting for the saga's decision
	LastErr string // the last transient failure
	Parked  bool   // seen in NEEDS_ATTENTION after the load
	Retried int    // operator retries sent while it was parked
}

// postAnswer is how one answer to POST /orders is taken.
type postAnswer struct {
	definite bool   // stop retrying the POST
	orderID  string // the order the service named, if any
	status   string // its status, if the answer gave one
}

// classifyPost reads an answer to POST /orders. 201 (CONFIRMED), 402 (FAILED) and 409 (REJECTED or
// CANCELLED) with an order id, and 202 (undecided) are definite; so are 400 and 422, which name no
// order. A 409 without an order id is a request with the same key still in progress (IETF draft
// "The Idempotency-Key HTTP Header Field"): try again, like any 5xx or a broken connection.
func classifyPost(status int, body []byte) postAnswer {
	switch status {
	case http.StatusCreated, http.StatusAccepted:
		var o orderView
		if json.Unmarshal(body, &o) != nil || o.ID == "" {
			return postAnswer{}
		}
		return postAnswer{definite: true, orderID: o.ID, status: o.Status}
	case http.StatusPaymentRequired, http.StatusConflict:
		// A problem body: its "status" member is the HTTP status (a number); the order's is lost in
		// the merge of extensions, and the answer's code says enough.
		var p struct {
			OrderID string `json:"orderId"`
		}
		if json.Unmarshal(body, &p) != nil || p.OrderID == "" {
			return postAnswer{}
		}
		return postAnswer{definite: true, orderID: p.OrderID, status: problemStatus(status)}
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return postAnswer{definite: true}
	}
	return postAnswer{}
}

// problemStatus is the order status a 402 or 409 answer to POST /orders stands for.
func problemStatus(code int) string {
	if code == http.StatusPaymentRequired {
		return statusFailed
	}
	return statusRejected // or CANCELLED; both terminal, and the settle phase reads the order anyway
}

// errNotDecided keeps a poll going.
var errNotDecided = errors.New("not decided yet")

// customer places one order at a time, retrying each POST with its Idempotency-Key until it gets a
// definite answer, then (after a 202) polling the order until the saga decides or parks it.
type customer struct {
	api  shopAPI
	id   string
	rng  *rand.Rand
	plan func(rng *rand.Rand, customerID string, n int) orderPlan
}

// place runs plan to its definite answer, or until ctx ends. Polling after a 202 ends early when
// stopPolling is closed: the settle phase takes over from there.
func (c customer) place(ctx context.Context, p *placement, stopPolling <-chan struct{}) {
	post := func() (postAnswer, error) {
		p.Posts++
		r, err := c.api.do(ctx, http.MethodPost, c.api.orders.pick()+"/api/v1/orders", p.Plan.body(),
			map[string]string{"Idempotency-Key": p.Plan.Key})
		if err != nil {
			p.LastErr = err.Error()
			return postAnswer{}, err
		}
		a := classifyPost(r.status, r.body)
		if !a.definite {
			p.LastErr = fmt.Sprintf("POST answered %d", r.status)
			return a, errors.New(p.LastErr)
		}
		p.Answer = r.status
		return a, nil
	}
	a, err := backoff.Retry(ctx, post, backoff.WithBackOff(clientBackOff()), backoff.WithMaxElapsedTime(0))
	if err != nil {
		return // ctx ended without a definite answer
	}
	p.OrderID, p.Status = a.orderID, a.status
	if p.OrderID == "" || terminal(p.Status) || p.Status == statusNeedsAttention {
		return
	}
	pollCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-stopPolling:
			cancel()
		case <-pollCtx.Done():
		}
	}()
	poll := func() (struct{}, error) {
		p.Polls++
		o, found, err := c.api.getOrder(pollCtx, p.OrderID)
		if err != nil {
			p.LastErr = err.Error()
			return struct{}{}, err
		}
		if found {
			p.Status = o.Status
		}
		if !found || !(terminal(o.Status) || o.Status == statusNeedsAttention) {
			return struct{}{}, errNotDecided
		}
		return struct{}{}, nil
	}
	_, _ = backoff.Retry(pollCtx, poll, backoff.WithBackOff(clientBackOff()), backoff.WithMaxElapsedTime(0))
}

// clientBackOff is how a client spaces its tries: from 200 ms, doubling, to 3 s, with jitter.
func clientBackOff() *backoff.ExponentialBackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 200 * time.Millisecond
	b.MaxInterval = 3 * time.Second
	return b
}

// loadResult is every placement the clients made.
type loadResult struct {
	mu         sync.Mutex
	placements []*placement
}

func (r *loadResult) add(p *placement) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.placements = append(r.placements, p)
}

// all returns the placements; call it once the clients are done.
func (r *loadResult) all() []*placement {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.placements
}

// runLoad starts clients customers that place orders one after another until stopNew is closed;
// each finishes the order in hand (its POST until ctx ends, its polling until stopPolling). It
// returns when every client has returned.
func runLoad(ctx context.Context, api shopAPI, clients int, seed uint64, plan func(*rand.Rand, string, int) orderPlan,
	stopNew, stopPolling <-chan struct{}, sent *atomic.Int64,
) *loadResult {
	res := &loadResult{}
	var wg sync.WaitGroup
	for i := range clients {
		c := customer{api: api, id: fmt.Sprintf("fault-c%02d", i), rng: rand.New(rand.NewPCG(seed, uint64(i))), plan: plan}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stopNew:
					return
				case <-ctx.Done():
					return
				default:
				}
				p := &placement{Plan: c.plan(c.rng, c.id, n)}
				res.add(p)
				sent.Add(1)
				c.place(ctx, p, stopPolling)
			}
		}()
	}
	wg.Wait()
	return res
}

// catalogue is the products the suite sells: two with stock for the whole run and two scarce ones
// that run out part-way, so that some orders are rejected while others go on being confirmed.
func catalogue(run string) []productSpec {
	return []productSpec{
		{Code: "FS-" + run + "-PLENTY-A", Name: "Plenty A", Desc: "fault suite", Quantity: 100000, Price: "4.50"},
		{Code: "FS-" + run + "-PLENTY-B", Name: "Plenty B", Desc: "fault suite", Quantity: 100000, Price: "12.00"},
		{Code: "FS-" + run + "-SCARCE-C", Name: "Scarce C", Desc: "fault suite", Quantity: 60, Price: "30.00"},
		{Code: "FS-" + run + "-SCARCE-D", Name: "Scarce D", Desc: "fault suite", Quantity: 150, Price: "7.25"},
	}
}

// planner returns the order plans of a run: one or (three times in ten) two lines of 1–3 units each
// over the catalogue, and one order in ten paid with a card the sandbox declines.
func planner(run string, products []productSpec) func(*rand.Rand, string, int) orderPlan {
	return func(rng *rand.Rand, customerID string, n int) orderPlan {
		p := orderPlan{Key: fmt.Sprintf("fs-%s-%s-%05d", run, customerID, n), CustomerID: customerID, Token: "tok_visa"}
		first := rng.IntN(len(products))
		p.Lines = append(p.Lines, orderLine{ProductCode: products[first].Code, Quantity: 1 + rng.Int64N(3)})
		if rng.IntN(10) < 3 {
			second := (first + 1 + rng.IntN(len(products)-1)) % len(products)
			p.Lines = append(p.Lines, orderLine{ProductCode: products[second].Code, Quantity: 1 + rng.Int64N(3)})
		}
		if rng.IntN(10) == 0 {
			p.Token = "tok_chargeDeclined"
		}
		return p
	}
}
