package orders_test

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/orders/idempotencytest"
	"github.com/order-saga/shop/orders/orderstest"
)

// fixture is the order use cases over in-memory fakes of every port.
type fixture struct {
	svc    *orders.Service
	store  *orderstest.MemoryStore
	sagas  *orderstest.FakeSagas
	events *orderstest.RecordingEvents
	counts *transitionCounts
	now    time.Time
}

// transitionCounts is a fake orders.Metrics: how often each status was counted.
type transitionCounts struct {
	mu sync.Mutex
	by map[domain.OrderStatus]int
}

func (c *transitionCounts) TransitionRecorded(s domain.OrderStatus) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.by == nil {
		c.by = map[domain.OrderStatus]int{}
	}
	c.by[s]++
}

func (c *transitionCounts) get() map[domain.OrderStatus]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.by)
}

func newFixture(t *testing.T, progress orders.Progress) *fixture {
	t.Helper()
	f := &fixture{store: orderstest.NewMemoryStore(), sagas: &orderstest.FakeSagas{}, events: &orderstest.RecordingEvents{}, counts: &transitionCounts{},
		now: time.Date(2026, 11, 25, 12, 0, 0, 123_456_789, time.UTC)}
	var ids atomic.Int64
	f.svc = orders.NewService(orders.Ports{
		Sagas: f.sagas, Store: f.store, Keys: &idempotencytest.MemoryStore{}, Events: f.events, Progress: progress, Metrics: f.counts,
	}, orders.Config{
		DecisionWait: time.Second, KeyLifetime: time.Hour, Now: func() time.Time { return f.now },
		NewID: func() string { return fmt.Sprint("o", ids.Add(1)) },
	})
	return f
}

// liveSteps is a fake orders.Progress: every COMPENSATING order it is shown gets one live step.
type liveSteps struct{ seen atomic.Int64 }

func (l *liveSteps) Live(_ context.Context, o orders.Order) orders.Order {
	l.seen.Add(1)
	if o.Status == "COMPENSATING" {
		o.Steps = append(o.Steps, orders.Step{Name: "refund-payment", State: orders.StepCompensating, Attempts: 2})
	}
	return o
}
