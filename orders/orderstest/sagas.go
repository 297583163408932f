package orderstest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

// FakeSagas is a fake saga starter and steerer. A started saga decides at once: its order comes back
// in status Outcome (CONFIRMED when empty) unless Undecided is set, when the wait runs out with no
// answer. It keeps every order it knows (Started, or put with Put) and answers the other calls from
// them; Err, when set, is what every call but Start answers.
type FakeSagas struct {
	mu        sync.Mutex
	started   []orders.Placement
	sagas     map[string]orders.Order
	decisions []orders.Decision

	Outcome   domain.OrderStatus
	Undecided bool
	Err       error
}

// Start implements orders.Sagas; a start under a known id joins that saga.
func (f *FakeSagas) Start(_ context.Context, p orders.Placement, _ time.Duration) (orders.Order, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.started = append(f.started, p)
	if o, ok := f.sagas[p.OrderID]; ok {
		return o, !f.Undecided, nil
	}
	o := orders.Order{OrderID: p.OrderID, CustomerID: p.CustomerID, Status: f.Outcome, CreatedAt: p.CreatedAt}
	if o.Status == "" {
		o.Status = domain.StatusConfirmed
	}
	for _, it := range p.Items {
		o.Lines = append(o.Lines, orders.Line{ProductCode: it.ProductCode, Quantity: it.Quantity})
	}
	f.put(o)
	if f.Undecided {
		return orders.Order{}, false, nil
	}
	return o, true, nil
}

// Put makes the fake know a saga of o.
func (f *FakeSagas) Put(o orders.Order) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.put(o)
}

func (f *FakeSagas) put(o orders.Order) {
	if f.sagas == nil {
		f.sagas = map[string]orders.Order{}
	}
	f.sagas[o.OrderID] = o
}

// Started returns every placement given to Start, first first.
func (f *FakeSagas) Started() []orders.Placement {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]orders.Placement(nil), f.started...)
}

// Decisions returns every decision given to Decide.
func (f *FakeSagas) Decisions() []orders.Decision {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]orders.Decision(nil), f.decisions...)
}

// Cancel implements orders.Sagas: a cancellable order becomes CANCELLED.
func (f *FakeSagas) Cancel(_ context.Context, orderID, reason string) (orders.Order, error) {
	return f.move(orderID, domain.OrderStatus.Cancellable, domain.StatusCancelled, reason)
}

// Fulfill implements orders.Sagas: a CONFIRMED order becomes COMPLETED.
func (f *FakeSagas) Fulfill(_ context.Context, orderID string) (orders.Order, error) {
	return f.move(orderID, is(domain.StatusConfirmed), domain.StatusCompleted, "")
}

// Decide implements orders.Sagas: for a parked order, retry confirms it, compensate cancels it.
func (f *FakeSagas) Decide(_ context.Context, orderID string, d orders.Decision) (orders.Order, error) {
	f.mu.Lock()
	f.decisions = append(f.decisions, d)
	f.mu.Unlock()
	if d.Action == orders.ActionCompensate {
		return f.move(orderID, is(domain.StatusNeedsAttention), domain.StatusCancelled, "compensated by "+d.Operator)
	}
	return f.move(orderID, is(domain.StatusNeedsAttention), domain.StatusConfirmed, "")
}

// Status implements orders.Sagas.
func (f *FakeSagas) Status(_ context.Context, orderID string) (orders.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.saga(orderID)
}

// saga returns a known order's saga state, or the error a saga call meets; f.mu must be held.
func (f *FakeSagas) saga(orderID string) (orders.Order, error) {
	if f.Err != nil {
		return orders.Order{}, f.Err
	}
	o, ok := f.sagas[orderID]
	if !ok {
		return orders.Order{}, domain.ErrNotFound
	}
	return o, nil
}

// move moves a known order to status to if from allows its status; domain.ErrConflict otherwise, as a
// saga refuses an update its order cannot take.
func (f *FakeSagas) move(orderID string, from func(domain.OrderStatus) bool, to domain.OrderStatus, reason string) (orders.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, err := f.saga(orderID)
	if err != nil {
		return orders.Order{}, err
	}
	if !from(o.Status) {
		return orders.Order{}, fmt.Errorf("order %s is %s: %w", orderID, o.Status, domain.ErrConflict)
	}
	o.Status, o.Reason, o.Seq = to, reason, o.Seq+1
	f.sagas[orderID] = o
	return o, nil
}

func is(want domain.OrderStatus) func(domain.OrderStatus) bool {
	return func(s domain.OrderStatus) bool { return s == want }
}

var _ orders.Sagas = (*FakeSagas)(nil)
