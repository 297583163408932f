// Package paymentstest holds what tests of the payment sandbox share: an in-memory fake of its Store
// port and the contract that the fake and the MongoDB adapter both pass.
package paymentstest

import (
	"context"
	"fmt"
	"sync"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/payments"
)

// FakeStore is an in-memory payments.Store, for fast unit tests of the sandbox's rules.
type FakeStore struct {
	mu       sync.Mutex
	payments map[string]payments.Payment
}

// NewFakeStore returns a store without payments.
func NewFakeStore() *FakeStore { return &FakeStore{payments: map[string]payments.Payment{}} }

// Insert implements payments.Store.
func (s *FakeStore) Insert(_ context.Context, p payments.Payment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.payments[p.OrderID]; ok {
		return fmt.Errorf("payment of %s: %w", p.OrderID, domain.ErrConflict)
	}
	s.payments[p.OrderID] = p
	return nil
}

// Get implements payments.Store.
func (s *FakeStore) Get(_ context.Context, orderID string) (payments.Payment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.payments[orderID]
	if !ok {
		return payments.Payment{}, fmt.Errorf("payment of %s: %w", orderID, domain.ErrNotFound)
	}
	return p, nil
}

// Move implements payments.Store.
func (s *FakeStore) Move(_ context.Context, p payments.Payment, from payments.Status) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.payments[p.OrderID]
	if !ok {
		return false, fmt.Errorf("payment of %s: %w", p.OrderID, domain.ErrNotFound)
	}
	if cur.Status != from {
		return false, nil
	}
	cur.Status, cur.UpdatedAt = p.Status, p.UpdatedAt
	s.payments[p.OrderID] = cur
	return true, nil
}

var _ payments.Store = (*FakeStore)(nil)
