package orders

import (
	"context"
	"time"

	"github.com/order-saga/shop/domain"
)

// Sagas starts and steers order sagas (the Temporal adapter implements it). Each method that names an
// order answers domain.ErrNotFound when no saga of that order exists, and domain.ErrConflict when the
// saga refuses the request (its order cannot move that way, or the saga has ended).
type Sagas interface {
	// Start starts the saga of p, or joins the one already running or closed under p.OrderID (so a
	// repeated start starts nothing), and waits up to wait for its decision: decided is false when the
	// wait ran out first (the saga goes on regardless). A joined saga that has not answered yet may
	// come back as the zero Order.
	Start(ctx context.Context, p Placement, wait time.Duration) (o Order, decided bool, err error)
	// Cancel asks the saga to cancel and returns the order once it has compensated.
	Cancel(ctx context.Context, orderID, reason string) (Order, error)
	// Fulfill moves a CONFIRMED order to COMPLETED.
	Fulfill(ctx context.Context, orderID string) (Order, error)
	// Decide hands an operator's decision to a parked saga and returns the order once it took effect.
	Decide(ctx context.Context, orderID string, d Decision) (Order, error)
	// Status returns the order as its saga knows it now.
	Status(ctx context.Context, orderID string) (Order, error)
}

// Store keeps the order service's copy of each order, as the saga records its transitions.
type Store interface {
	// Get returns an order; domain.ErrNotFound if there is none.
	Get(ctx context.Context, orderID string) (Order, error)
	Lister
	// Save stores o unless the store already holds the same order at a higher or equal Seq: a retried
	// or late save never moves an order backwards.
	Save(ctx context.Context, o Order) error
}

// Events publishes events; it returns once the broker has them.
type Events interface {
	Publish(ctx context.Context, e domain.Event) error
}

// Progress tells what only a running saga knows beyond its stored order (its live steps: attempts and
// last errors of steps being retried).
type Progress interface {
	// Live returns o as its saga knows it now; o as it is when the saga cannot tell more (or does not
	// answer before ctx ends). It never fails: the stored order is a true, if less detailed, answer.
	Live(ctx context.Context, o Order) Order
}

// Metrics hears what the use cases count (cmd/ plugs Prometheus in).
type Metrics interface {
	// TransitionRecorded: Record has stored and published a transition into status, the first time
	// this process did (a repeat it remembers publishing is not heard again).
	TransitionRecorded(status domain.OrderStatus)
}

// Clock tells the time; tests fix it.
type Clock func() time.Time
