// Package orderstest holds in-memory fakes of the order use cases' ports (the order store, the saga
// starter, the event publisher) and the contract every orders.Store meets, which the fake and the
// MongoDB adapter both pass: a use case that passes over the fakes behaves the same over MongoDB.
package orderstest

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

// MemoryStore is a fake orders.Store in memory. One mutex makes each Save atomic.
type MemoryStore struct {
	mu     sync.Mutex
	orders map[string]orders.Order
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{orders: map[string]orders.Order{}} }

// Get implements orders.Store.
func (m *MemoryStore) Get(_ context.Context, orderID string) (orders.Order, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.orders[orderID]
	if !ok {
		return orders.Order{}, domain.ErrNotFound
	}
	return clone(o), nil
}

// List implements orders.Store: ordered by id, filtered by status and customer, after the cursor.
func (m *MemoryStore) List(_ context.Context, q orders.Query) ([]orders.Order, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []orders.Order{}
	for _, o := range m.orders {
		if (q.Status == "" || o.Status == q.Status) && (q.CustomerID == "" || o.CustomerID == q.CustomerID) && o.OrderID > q.After {
			out = append(out, clone(o))
		}
	}
	slices.SortFunc(out, func(a, b orders.Order) int { return strings.Compare(a.OrderID, b.OrderID) })
	if len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// Save implements orders.Store: only over an older transition.
func (m *MemoryStore) Save(_ context.Context, o orders.Order) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if stored, ok := m.orders[o.OrderID]; ok && stored.Seq >= o.Seq {
		return nil
	}
	m.orders[o.OrderID] = clone(o)
	return nil
}

// clone copies an order's slices, so callers never share the store's.
func clone(o orders.Order) orders.Order {
	o.Lines, o.Steps = slices.Clone(o.Lines), slices.Clone(o.Steps)
	return o
}

var _ orders.Store = (*MemoryStore)(nil)
