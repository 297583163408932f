// Package payments is the payment sandbox: a small stand-in payment provider with Stripe-style test
// tokens, run as a process of its own so that stopping it is how tests and operators see an outage.
// One payment per order; every operation is idempotent, because the saga retries.
package payments

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/order-saga/shop/domain"
)

// Status is where a payment stands.
type Status string

// A payment is AUTHORIZED, then CAPTURED (and maybe REFUNDED), or VOIDED. DECLINED records a refused
// authorization, so that a retry is refused the same way.
const (
	Authorized Status = "AUTHORIZED"
	Captured   Status = "CAPTURED"
	Voided     Status = "VOIDED"
	Refunded   Status = "REFUNDED"
	Declined   Status = "DECLINED"
)

// Test tokens, as in Stripe's test mode.
const (
	TokenVisa     = "tok_visa"
	TokenDeclined = "tok_chargeDeclined"
)

// Payment is one order's payment.
type Payment struct {
	ID        string
	OrderID   string
	Token     string
	Amount    domain.Money
	Status    Status
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Store keeps payments, one per order.
type Store interface {
	// Insert stores a new payment; domain.ErrConflict if the order has one.
	Insert(ctx context.Context, p Payment) error
	// Get returns an order's payment; domain.ErrNotFound if there is none.
	Get(ctx context.Context, orderID string) (Payment, error)
	// Move changes a payment's status to p.Status (and its UpdatedAt) only if it is still in from;
	// moved is false when it was not (another call moved it first), and then nothing was written. It
	// need not be atomic across processes: the sandbox serialises the operations on one order.
	Move(ctx context.Context, p Payment, from Status) (moved bool, err error)
}

// Sandbox carries out the provider's operations. Each operation reads a payment, decides, and writes
// only from the status it read (Store.Move), with the operations on one order serialised within the
// process: two calls for one order (a retried capture and the compensation's void) cannot both pass
// the check. FerretDB offers no atomic conditional update to do this in the store (it applies a
// filtered update as a read, then a write); the sandbox runs as one process, so the lock closes it.
type Sandbox struct {
	store Store
	now   func() time.Time
	log   *slog.Logger
	locks [lockStripes]sync.Mutex
}

const lockStripes = 256

// lock takes the mutex of orderID's stripe and returns its unlock.
func (s *Sandbox) lock(orderID string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(orderID))
	m := &s.locks[h.Sum32()%lockStripes]
	m.Lock()
	return m.Unlock
}

// NewSandbox returns a sandbox over store.
func NewSandbox(store Store, now func() time.Time, log *slog.Logger) *Sandbox {
	return &Sandbox{store: store, now: func() time.Time { return now().UTC().Truncate(time.Millisecond) }, log: log}
}

// Authorize holds amount on the token's card: tok_visa approves, tok_chargeDeclined declines
// (domain.ErrPaymentDeclined). A repeat for the same order answers as the first did; after a void it
// is refused (domain.ErrConflict).
func (s *Sandbox) Authorize(ctx context.Context, orderID, token string, amount domain.Money) (Payment, error) {
	var v domain.ValidationError
	if orderID == "" {
		v.Add("orderId", "must not be empty")
	}
	if token != TokenVisa && token != TokenDeclined {
		v.Add("token", "must be a test token: %s or %s", TokenVisa, TokenDeclined)
	}
	if amount.Minor <= 0 {
		v.Add("amount", "must be greater than 0")
	}
	if _, ok := domain.CurrencyDigits(amount.Currency); !ok {
		v.Add("currency", "must be a supported ISO 4217 code")
	}
	if err := v.Err(); err != nil {
		return Payment{}, err
	}
	defer s.lock(orderID)()
	now := s.now()
	p := Payment{ID: "pay_" + orderID, OrderID: orderID, Token: token, Amount: amount, Status: Authorized, CreatedAt: now, UpdatedAt: now}
	if token == TokenDeclined {
		p.Status = Declined
	}
	err := s.store.Insert(ctx, p)
	if errors.Is(err, domain.ErrConflict) {
		if p, err = s.store.Get(ctx, orderID); err != nil {
			return Payment{}, err
		}
	} else if err != nil {
		return Payment{}, err
	}
	switch p.Status {
	case Declined:
		return p, fmt.Errorf("order %s: card declined: %w", orderID, domain.ErrPaymentDeclined)
	case Voided:
		return p, fmt.Errorf("order %s: the payment was voided: %w", orderID, domain.ErrConflict)
	}
	return p, nil
}

// Capture takes an authorized payment.
func (s *Sandbox) Capture(ctx context.Context, orderID string) (Payment, error) {
	defer s.lock(orderID)()
	p, err := s.store.Get(ctx, orderID)
	if err != nil {
		return p, err
	}
	switch p.Status {
	case Captured:
		return p, nil
	case Authorized:
		return s.move(ctx, p, Captured)
	}
	return p, fmt.Errorf("order %s: cannot capture a %s payment: %w", orderID, p.Status, domain.ErrConflict)
}

// Void cancels an uncaptured authorization. Without a payment it records a voided one, so that a late
// authorization of the order is refused.
func (s *Sandbox) Void(ctx context.Context, orderID string) (Payment, error) {
	defer s.lock(orderID)()
	return s.void(ctx, orderID)
}

func (s *Sandbox) void(ctx context.Context, orderID string) (Payment, error) {
	p, err := s.store.Get(ctx, orderID)
	if errors.Is(err, domain.ErrNotFound) {
		now := s.now()
		p = Payment{ID: "pay_" + orderID, OrderID: orderID, Status: Voided, CreatedAt: now, UpdatedAt: now}
		if err := s.store.Insert(ctx, p); err != nil && !errors.Is(err, domain.ErrConflict) {
			return p, err
		}
		return s.store.Get(ctx, orderID)
	}
	if err != nil {
		return p, err
	}
	switch p.Status {
	case Voided, Declined:
		return p, nil
	case Authorized:
		return s.move(ctx, p, Voided)
	}
	return p, fmt.Errorf("order %s: cannot void a %s payment (refund it): %w", orderID, p.Status, domain.ErrConflict)
}

// Refund returns a captured payment; an authorization not yet captured is voided instead.
func (s *Sandbox) Refund(ctx context.Context, orderID string) (Payment, error) {
	defer s.lock(orderID)()
	p, err := s.store.Get(ctx, orderID)
	if errors.Is(err, domain.ErrNotFound) || (err == nil && p.Status != Captured && p.Status != Refunded) {
		return s.void(ctx, orderID)
	}
	if err != nil {
		return p, err
	}
	if p.Status == Refunded {
		return p, nil
	}
	return s.move(ctx, p, Refunded)
}

// Get returns an order's payment.
func (s *Sandbox) Get(ctx context.Context, orderID string) (Payment, error) {
	return s.store.Get(ctx, orderID)
}

// move takes p from the status it was read in to to, and only from there: a late or repeated call
// that lost a race (a void against a capture, say) finds the payment moved on and answers from where it
// stands, never moving it back.
func (s *Sandbox) move(ctx context.Context, p Payment, to Status) (Payment, error) {
	from := p.Status
	p.Status, p.UpdatedAt = to, s.now()
	moved, err := s.store.Move(ctx, p, from)
	if err != nil {
		return p, err
	}
	if !moved {
		now, err := s.store.Get(ctx, p.OrderID)
		if err != nil {
			return now, err
		}
		if now.Status == to {
			return now, nil // the same move, done by a repeat of this call
		}
		return now, fmt.Errorf("order %s: cannot move a %s payment to %s: %w", p.OrderID, now.Status, to, domain.ErrConflict)
	}
	s.log.InfoContext(ctx, "payment "+string(to), "orderId", p.OrderID, "paymentId", p.ID, "amount", p.Amount.String(), "currency", p.Amount.Currency)
	return p, nil
}
