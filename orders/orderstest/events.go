package orderstest

import (
	"context"
	"sync"

	"github.com/order-saga/shop/domain"
)

// RecordingEvents is a fake orders.Events that keeps what it was given; Fail, when set, refuses
// publishes with its error instead.
type RecordingEvents struct {
	mu     sync.Mutex
	events []domain.Event
	Fail   error
}

// Publish implements orders.Events.
func (r *RecordingEvents) Publish(_ context.Context, e domain.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Fail != nil {
		return r.Fail
	}
	r.events = append(r.events, e)
	return nil
}

// Published returns the events published so far, oldest first.
func (r *RecordingEvents) Published() []domain.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]domain.Event(nil), r.events...)
}
