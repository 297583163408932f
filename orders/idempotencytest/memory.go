// Package idempotencytest holds the contract every orders.IdempotencyStore meets, and an in-memory
// fake held to it for fast unit tests of what sits above the store.
package idempotencytest

import (
	"context"
	"sync"
	"time"

	"github.com/order-saga/shop/orders"
)

// MemoryStore is a fake orders.IdempotencyStore in memory.
type MemoryStore struct {
	mu      sync.Mutex
	records map[[2]string]orders.IdempotencyRecord
}

// Claim implements orders.IdempotencyStore.
func (m *MemoryStore) Claim(_ context.Context, rec orders.IdempotencyRecord, now time.Time) (orders.IdempotencyRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.records == nil {
		m.records = map[[2]string]orders.IdempotencyRecord{}
	}
	id := [2]string{rec.Scope, rec.Key}
	if stored, ok := m.records[id]; ok && stored.ExpiresAt.After(now) {
		return stored, nil
	}
	m.records[id] = rec
	return rec, nil
}

var _ orders.IdempotencyStore = (*MemoryStore)(nil)
