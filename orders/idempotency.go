package orders

import (
	"context"
	"fmt"
	"time"

	"github.com/order-saga/shop/domain"
)

// IdempotencyRecord ties an Idempotency-Key, within its scope, to the order its first request placed
// and to that request's fingerprint (domain.OrderFingerprint).
type IdempotencyRecord struct {
	// Scope is the customer id: two customers' equal keys are different keys. Orders without a
	// customer share the empty scope.
	Scope, Key  string
	Fingerprint string
	OrderID     string
	CreatedAt   time.Time
	// ExpiresAt ends the record's life: from then on the key places a new order.
	ExpiresAt time.Time
}

// IdempotencyStore keeps idempotency records.
type IdempotencyStore interface {
	// Claim stores rec as the record of its scope and key unless a live one (ExpiresAt after now)
	// is stored already, and returns the live record: rec itself when it was stored. It is atomic:
	// of concurrent claims of one key, one wins and every one of them returns the winner.
	Claim(ctx context.Context, rec IdempotencyRecord, now time.Time) (IdempotencyRecord, error)
}

// DefaultIdempotencyKeyLifetime is how long a key stands for its order unless configured otherwise
// (IDEMPOTENCY_KEY_LIFETIME), as the IETF draft suggests: a day covers any client's retries.
const DefaultIdempotencyKeyLifetime = 24 * time.Hour

// IdempotencyKeys resolves Idempotency-Keys to orders, independently of how long Temporal keeps the
// orders' workflows.
type IdempotencyKeys struct {
	Store    IdempotencyStore
	Lifetime time.Duration
	Now      func() time.Time
}

// OrderFor returns the order a keyed request stands for: newOrderID when the key is new in its scope
// (or its record expired), or the order of the key's first request when this request is the same
// (repeat true). The same key with a different request is domain.ErrIdempotencyKeyReused.
func (k IdempotencyKeys) OrderFor(ctx context.Context, scope, key, fingerprint, newOrderID string) (orderID string, repeat bool, err error) {
	now := k.Now().UTC()
	rec, err := k.Store.Claim(ctx, IdempotencyRecord{
		Scope: scope, Key: key, Fingerprint: fingerprint, OrderID: newOrderID,
		CreatedAt: now, ExpiresAt: now.Add(k.Lifetime),
	}, now)
	if err != nil {
		return "", false, fmt.Errorf("idempotency key: %w", err)
	}
	if rec.Fingerprint != fingerprint {
		return "", false, domain.ErrIdempotencyKeyReused
	}
	return rec.OrderID, rec.OrderID != newOrderID, nil
}
