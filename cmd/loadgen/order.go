package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// declinedToken is the payment sandbox's card that is always declined.
const declinedToken = "tok_chargeDeclined"

// placed is an order the system took, for the correctness check.
type placed struct {
	id, product string
	qty         int
}

// shopTarget places orders on the running system according to a mix.
type shopTarget struct {
	c        *shopClient
	mix      mix
	products []string // stocked products
	scarce   string   // the scarce product's code
	poll     time.Duration

	mu       sync.Mutex
	ledger   []placed
	unplaced int // POSTs that got no order id
}

func (t *shopTarget) name() string { return "system" }

func (t *shopTarget) decidedForCPU(statuses map[string]int) int { return statuses["CONFIRMED"] }

func (t *shopTarget) place(ctx context.Context, seq int, intended time.Time, answered func()) outcome {
	p := t.mix.pick(seq)
	code := t.scarce
	if p.product != scarceProduct {
		code = t.products[p.product]
	}
	token := ""
	if p.declined {
		token = declinedToken
	}
	status, a, err := t.c.placeOrder(ctx, code, 1, token)
	o := outcome{answer: sinceIntended(intended, time.Now())}
	if status != 0 {
		o.answered = true
		answered()
	}
	if a.id() != "" {
		t.mu.Lock()
		t.ledger = append(t.ledger, placed{id: a.id(), product: code, qty: 1})
		t.mu.Unlock()
	} else {
		t.mu.Lock()
		t.unplaced++
		t.mu.Unlock()
	}
	switch {
	case err != nil:
		o.err = err
		return o
	case status == http.StatusAccepted && a.Status != "NEEDS_ATTENTION":
		a, err = t.awaitDecision(ctx, a.id())
		if err != nil {
			o.err = err
			return o
		}
	case status >= 500 || status < 200 || (status >= 400 && a.Status == ""):
		o.err = fmt.Errorf("place order: status %d", status)
		return o
	}
	o.decided, o.status, o.decision = true, a.Status, sinceIntended(intended, time.Now())
	if p.cancel && a.Status == "CONFIRMED" {
		if _, err := t.c.cancelOrder(ctx, a.id()); err != nil {
			o.err = err
		}
	}
	return o
}

// awaitDecision polls an order the POST answered 202 for until it is decided.
func (t *shopTarget) awaitDecision(ctx context.Context, id string) (orderAnswer, error) {
	for {
		a, err := t.c.order(ctx, id)
		if err == nil && decisions[a.Status] {
			return a, nil
		}
		select {
		case <-ctx.Done():
			return a, errors.Join(fmt.Errorf("order %s: no decision in time (last status %q)", id, a.Status), err)
		case <-time.After(t.poll):
		}
	}
}

func (t *shopTarget) placedOrders() ([]placed, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]placed(nil), t.ledger...), t.unplaced
}
