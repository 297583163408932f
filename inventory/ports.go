// Package inventory is the inventory service's use cases: the catalogue and the stock ledger, over
// small ports that the MongoDB and RabbitMQ adapters implement. The HTTP handlers and the saga's
// activities both call it, so a rule lives in one place whichever door a change comes through.
package inventory

import (
	"context"
	"errors"
	"time"

	"github.com/order-saga/shop/domain"
)

// ErrAlreadyApplied is returned by Ledger.Append when the ledger already holds the movement's
// idempotency key: an earlier attempt (or, for commit and release, the other settlement) made it.
var ErrAlreadyApplied = errors.New("movement already applied")

// Catalog stores products.
type Catalog interface {
	// Create stores a new product; domain.ErrConflict if its code is taken.
	Create(ctx context.Context, p domain.Product) error
	// Get returns a product; domain.ErrNotFound if there is none.
	Get(ctx context.Context, code string) (domain.Product, error)
	// Update replaces a product's descriptive fields; domain.ErrNotFound if there is none.
	Update(ctx context.Context, p domain.Product) error
	// List returns a page of products ordered by code, after the cursor. Text search is Searcher's.
	List(ctx context.Context, q ListQuery) ([]domain.Product, error)
}

// ListQuery selects a page of products.
type ListQuery struct {
	After string // product code the previous page ended with
	Limit int
}

// Ledger is the append-only stock ledger.
//
// Idempotency contract. A movement with an orderID has an idempotency key, unique in the ledger:
//   - reservation: (code, orderID, reservation);
//   - commit and release share ONE settlement slot per (code, orderID): an order's reservation of a
//     product is settled once, either way, and the unique key decides a race between the two;
//   - receipt (the restock of a cancelled, committed order): (code, orderID, receipt).
//
// Append recognises a key already taken BEFORE any stock rule counts: whatever decide would say
// about the current figures (a retried commit finds "1 exceeds reserved 0" once the figures moved
// on), Append then returns the entry that holds the key, with ErrAlreadyApplied, and appends
// nothing. For commit and release that entry may be of the other kind: the caller decides what it
// means. So any number of retries of a movement, after any partial failure, apply it exactly once.
// One exception, so that a sold-out product costs no lookup by key: a reservation that the rules
// refuse while the product has no reserved units is refused even if its key is taken
// (RefusalStands): the order's earlier reservation was settled then, and the order has a record.
// Movements without an orderID (receipts and adjustments made by hand) have no key.
type Ledger interface {
	// Append adds the entry that decide builds from the product's current head, retrying when another
	// writer appended first (an optimistic lock on the sequence number). decide's error is returned
	// only when it refused the newest entry and the movement's key is free, or the refusal stands
	// whatever the key (RefusalStands).
	Append(ctx context.Context, code, orderID string, kind domain.MovementKind,
		decide func(head domain.Movement) (domain.Movement, error)) (domain.Movement, error)
	// Head returns the newest entry (the zero Movement with Seq 0 if there is none).
	Head(ctx context.Context, code string) (domain.Movement, error)
	// History returns up to limit entries older than beforeSeq (0: from the newest), newest first.
	History(ctx context.Context, code string, beforeSeq int64, limit int) ([]domain.Movement, error)
	// ByOrder returns every entry of an order. It may scan: only recovery paths call it.
	ByOrder(ctx context.Context, orderID string) ([]domain.Movement, error)
}

// Reservations stores one record per order: the idempotency anchor of Reserve, Release and Commit.
type Reservations interface {
	// Insert stores a new record; domain.ErrConflict if the order has one.
	Insert(ctx context.Context, r Reservation) error
	// Get returns an order's record; domain.ErrNotFound if there is none.
	Get(ctx context.Context, orderID string) (Reservation, error)
	// Save replaces an order's record, only forward (ReservationState.MayBecome): a save that would move
	// it back is refused with domain.ErrConflict and changes nothing.
	Save(ctx context.Context, r Reservation) error
}

// Events publishes events; it returns once the broker has them.
type Events interface {
	Publish(ctx context.Context, e domain.Event) error
}

// Outbox keeps the events of changes made over HTTP that the broker did not take when they were
// made, until Service.RelayOutbox publishes them. Data of a pending event comes back as raw JSON.
type Outbox interface {
	// Add keeps e; adding an event with the same ID again changes nothing.
	Add(ctx context.Context, e domain.Event) error
	// Pending returns up to limit kept events, oldest first.
	Pending(ctx context.Context, limit int) ([]domain.Event, error)
	// Done forgets a published event.
	Done(ctx context.Context, id string) error
}

// Clock tells the time; tests fix it.
type Clock func() time.Time
