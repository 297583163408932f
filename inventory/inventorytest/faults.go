package inventorytest

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
)

// ErrInjected is the failure Faults injects.
var ErrInjected = errors.New("injected fault")

// The operations Faults can fail: every store write and every publish of the inventory's ports.
const (
	OpAppend  = "Ledger.Append"
	OpInsert  = "Reservations.Insert"
	OpSave    = "Reservations.Save"
	OpPublish = "Events.Publish"
	OpOutbox  = "Outbox.Add"
)

// Faults fails one chosen call of the ports it decorates (see Ports.WithFaults), before the call
// reaches the store or broker, or after it did its work (as a timeout after the write would).
type Faults struct {
	mu     sync.Mutex
	armed  bool
	op     string // "" matches every operation
	skip   int    // matching calls to let through first
	after  bool
	fired  string // what was failed, for messages
	counts map[string]int
}

// Arm makes the call after skip matching calls of op ("" for any) fail, once.
func (f *Faults) Arm(op string, skip int, after bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed, f.op, f.skip, f.after, f.fired = true, op, skip, after, ""
}

// Disarm cancels a fault that has not fired.
func (f *Faults) Disarm() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.armed = false
}

// Fired says which call failed since the last Arm ("" if none).
func (f *Faults) Fired() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fired
}

// Calls counts the calls of op that went through the decorators (failed ones included).
func (f *Faults) Calls(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[op]
}

func (f *Faults) do(op string, call func() error) error {
	f.mu.Lock()
	if f.counts == nil {
		f.counts = map[string]int{}
	}
	f.counts[op]++
	fire := false
	if f.armed && (f.op == "" || f.op == op) {
		if f.skip == 0 {
			fire, f.armed = true, false
			f.fired = fmt.Sprintf("%s (after: %v)", op, f.after)
		} else {
			f.skip--
		}
	}
	after := f.after
	f.mu.Unlock()
	if !fire {
		return call()
	}
	if !after {
		return fmt.Errorf("%s: %w before the call", op, ErrInjected)
	}
	if err := call(); err != nil && !errors.Is(err, inventory.ErrAlreadyApplied) {
		return err
	}
	return fmt.Errorf("%s: %w after the call did its work", op, ErrInjected)
}

type faultyLedger struct {
	inventory.Ledger
	f *Faults
}

func (l faultyLedger) Append(ctx context.Context, code, orderID string, kind domain.MovementKind,
	decide func(head domain.Movement) (domain.Movement, error)) (domain.Movement, error) {
	var m domain.Movement
	var inner error
	err := l.f.do(OpAppend, func() error {
		m, inner = l.Ledger.Append(ctx, code, orderID, kind, decide)
		return inner
	})
	if err == nil || errors.Is(err, inner) {
		return m, err
	}
	return domain.Movement{}, err
}

type faultyReservations struct {
	inventory.Reservations
	f *Faults
}

func (r faultyReservations) Insert(ctx context.Context, res inventory.Reservation) error {
	return r.f.do(OpInsert, func() error { return r.Reservations.Insert(ctx, res) })
}

func (r faultyReservations) Save(ctx context.Context, res inventory.Reservation) error {
	return r.f.do(OpSave, func() error { return r.Reservations.Save(ctx, res) })
}

type faultyEvents struct {
	inventory.Events
	f *Faults
}

func (e faultyEvents) Publish(ctx context.Context, ev domain.Event) error {
	return e.f.do(OpPublish, func() error { return e.Events.Publish(ctx, ev) })
}

type faultyOutbox struct {
	inventory.Outbox
	f *Faults
}

func (o faultyOutbox) Add(ctx context.Context, ev domain.Event) error {
	return o.f.do(OpOutbox, func() error { return o.Outbox.Add(ctx, ev) })
}

// RecordingEvents remembers the ids of the events its broker took.
type RecordingEvents struct {
	inventory.Events
	mu   sync.Mutex
	seen map[string]bool
}

// Publish implements inventory.Events.
func (e *RecordingEvents) Publish(ctx context.Context, ev domain.Event) error {
	if err := e.Events.Publish(ctx, ev); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.seen == nil {
		e.seen = map[string]bool{}
	}
	e.seen[ev.ID] = true
	return nil
}

// Published reports whether the broker took an event with this id.
func (e *RecordingEvents) Published(id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.seen[id]
}
