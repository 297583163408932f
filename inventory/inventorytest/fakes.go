// Package inventorytest holds in-memory fakes of the inventory's ports, the contract suites that
// both the fakes and the MongoDB adapters must pass, fault-injecting decorators of the ports, and
// the model-based property test of the use cases that runs over either. The fakes serve fast unit
// tests; they are held to the same contracts as the real adapters, so a use case that passes over
// them behaves the same over MongoDB.
package inventorytest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
)

// FakeLedger is an in-memory inventory.Ledger. One mutex makes each Append atomic, which stands in
// for the unique keys of the real store.
type FakeLedger struct {
	mu      sync.Mutex
	entries map[string][]domain.Movement // product code -> entries, entry seq n at index n-1
	keys    map[string]domain.Movement   // idempotency key -> the entry holding it
}

// NewFakeLedger returns an empty ledger.
func NewFakeLedger() *FakeLedger {
	return &FakeLedger{entries: map[string][]domain.Movement{}, keys: map[string]domain.Movement{}}
}

func fakeKey(code, orderID string, kind domain.MovementKind) string {
	return code + "|" + orderID + "|" + inventory.IdempotencySlot(kind)
}

// Append implements inventory.Ledger: the key is looked at first (but for a refusal that stands
// whatever the key), then decide, then the append.
func (l *FakeLedger) Append(_ context.Context, code, orderID string, kind domain.MovementKind,
	decide func(head domain.Movement) (domain.Movement, error)) (domain.Movement, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	head := l.head(code)
	if orderID != "" {
		if m, ok := l.keys[fakeKey(code, orderID, kind)]; ok {
			if _, err := decide(head); err != nil && inventory.RefusalStands(kind, head) {
				return domain.Movement{}, err
			}
			return m, inventory.ErrAlreadyApplied
		}
	}
	m, err := decide(head)
	if err != nil {
		return m, err
	}
	if m.Seq != head.Seq+1 || m.ProductCode != code || m.Kind != kind || m.OrderID != orderID {
		return domain.Movement{}, fmt.Errorf("append to %s: decide built %s %s, not the %s after seq %d", code, m.Kind, m.ID(), kind, head.Seq)
	}
	l.entries[code] = append(l.entries[code], m)
	if orderID != "" {
		l.keys[fakeKey(code, orderID, kind)] = m
	}
	return m, nil
}

func (l *FakeLedger) head(code string) domain.Movement {
	es := l.entries[code]
	if len(es) == 0 {
		return domain.Movement{ProductCode: code}
	}
	return es[len(es)-1]
}

// Head implements inventory.Ledger.
func (l *FakeLedger) Head(_ context.Context, code string) (domain.Movement, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.head(code), nil
}

// History implements inventory.Ledger.
func (l *FakeLedger) History(_ context.Context, code string, beforeSeq int64, limit int) ([]domain.Movement, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	es := l.entries[code]
	from := int64(len(es))
	if beforeSeq > 0 && beforeSeq-1 < from {
		from = beforeSeq - 1
	}
	out := make([]domain.Movement, 0, limit)
	for seq := from; seq >= 1 && len(out) < limit; seq-- {
		out = append(out, es[seq-1])
	}
	return out, nil
}

// ByOrder implements inventory.Ledger, ordered by product code, then sequence.
func (l *FakeLedger) ByOrder(_ context.Context, orderID string) ([]domain.Movement, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []domain.Movement
	for _, es := range l.entries {
		for _, e := range es {
			if e.OrderID == orderID {
				out = append(out, e)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ProductCode != out[j].ProductCode {
			return out[i].ProductCode < out[j].ProductCode
		}
		return out[i].Seq < out[j].Seq
	})
	return out, nil
}

// FakeReservations is an in-memory inventory.Reservations.
type FakeReservations struct {
	mu      sync.Mutex
	records map[string]inventory.Reservation
}

// NewFakeReservations returns an empty store.
func NewFakeReservations() *FakeReservations {
	return &FakeReservations{records: map[string]inventory.Reservation{}}
}

// Insert implements inventory.Reservations.
func (r *FakeReservations) Insert(_ context.Context, res inventory.Reservation) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.records[res.OrderID]; ok {
		return fmt.Errorf("insert reservation of %s: %w", res.OrderID, domain.ErrConflict)
	}
	r.records[res.OrderID] = cloneReservation(res)
	return nil
}

// Get implements inventory.Reservations.
func (r *FakeReservations) Get(_ context.Context, orderID string) (inventory.Reservation, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res, ok := r.records[orderID]
	if !ok {
		return inventory.Reservation{}, fmt.Errorf("reservation of %s: %w", orderID, domain.ErrNotFound)
	}
	return cloneReservation(res), nil
}

// Save implements inventory.Reservations (like the real store, saving a record that is not there
// stores nothing).
func (r *FakeReservations) Save(_ context.Context, res inventory.Reservation) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur, ok := r.records[res.OrderID]
	if !ok {
		return nil
	}
	if !cur.State.MayBecome(res.State) {
		return fmt.Errorf("save reservation of %s: %s cannot become %s: %w", res.OrderID, cur.State, res.State, domain.ErrConflict)
	}
	r.records[res.OrderID] = cloneReservation(res)
	return nil
}

// cloneReservation copies what a store would copy, so a caller's later changes do not leak in.
func cloneReservation(res inventory.Reservation) inventory.Reservation {
	res.Lines = append([]inventory.ReservedLine(nil), res.Lines...)
	if res.Rejection != nil {
		why := *res.Rejection
		res.Rejection = &why
	}
	return res
}

// FakeCatalog is an in-memory inventory.Catalog.
type FakeCatalog struct {
	mu       sync.Mutex
	products map[string]domain.Product
}

// NewFakeCatalog returns an empty catalogue.
func NewFakeCatalog() *FakeCatalog { return &FakeCatalog{products: map[string]domain.Product{}} }

// Create implements inventory.Catalog.
func (c *FakeCatalog) Create(_ context.Context, p domain.Product) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.products[p.Code]; ok {
		return fmt.Errorf("create product %s: %w", p.Code, domain.ErrConflict)
	}
	c.products[p.Code] = p
	return nil
}

// Get implements inventory.Catalog.
func (c *FakeCatalog) Get(_ context.Context, code string) (domain.Product, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.products[code]
	if !ok {
		return domain.Product{}, fmt.Errorf("product %s: %w", code, domain.ErrNotFound)
	}
	return p, nil
}

// Update implements inventory.Catalog.
func (c *FakeCatalog) Update(_ context.Context, p domain.Product) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.products[p.Code]; !ok {
		return fmt.Errorf("update product %s: %w", p.Code, domain.ErrNotFound)
	}
	c.products[p.Code] = p
	return nil
}

// List implements inventory.Catalog.
func (c *FakeCatalog) List(_ context.Context, q inventory.ListQuery) ([]domain.Product, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []domain.Product
	for _, p := range c.products {
		if p.Code > q.After {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	if len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// FakeEvents is an inventory.Events that keeps what it is given, by event id (a repeat replaces).
type FakeEvents struct {
	mu   sync.Mutex
	byID map[string]domain.Event
}

// NewFakeEvents returns a broker with nothing published.
func NewFakeEvents() *FakeEvents { return &FakeEvents{byID: map[string]domain.Event{}} }

// Publish implements inventory.Events.
func (e *FakeEvents) Publish(_ context.Context, ev domain.Event) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.byID[ev.ID] = ev
	return nil
}

// Has reports whether an event with this id was published.
func (e *FakeEvents) Has(id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.byID[id]
	return ok
}

// FakeOutbox is an in-memory inventory.Outbox.
type FakeOutbox struct {
	mu     sync.Mutex
	events []domain.Event
}

// Add implements inventory.Outbox.
func (o *FakeOutbox) Add(_ context.Context, e domain.Event) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, kept := range o.events {
		if kept.ID == e.ID {
			return nil
		}
	}
	// Like the real store, keep the data as its JSON text: it comes back as raw JSON.
	data, err := json.Marshal(e.Data)
	if err != nil {
		return fmt.Errorf("outbox %s: encode data: %w", e.ID, err)
	}
	e.Data = json.RawMessage(data)
	o.events = append(o.events, e)
	return nil
}

// Pending implements inventory.Outbox.
func (o *FakeOutbox) Pending(_ context.Context, limit int) ([]domain.Event, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := min(limit, len(o.events))
	return append([]domain.Event(nil), o.events[:n]...), nil
}

// Done implements inventory.Outbox.
func (o *FakeOutbox) Done(_ context.Context, id string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i, e := range o.events {
		if e.ID == id {
			o.events = append(o.events[:i], o.events[i+1:]...)
			return nil
		}
	}
	return nil
}

var (
	_ inventory.Ledger       = (*FakeLedger)(nil)
	_ inventory.Reservations = (*FakeReservations)(nil)
	_ inventory.Catalog      = (*FakeCatalog)(nil)
	_ inventory.Events       = (*FakeEvents)(nil)
	_ inventory.Outbox       = (*FakeOutbox)(nil)
)
