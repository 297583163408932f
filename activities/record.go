package activities

import (
	"context"
	"fmt"
	"strings"

	"go.temporal.io/sdk/activity"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

// Names of the order service's own activities, run on task queue "orders".
const (
	RecordOrderName      = "RecordOrder"
	AuthorizePaymentName = "AuthorizePayment"
	CapturePaymentName   = "CapturePayment"
	VoidPaymentName      = "VoidPayment"
	RefundPaymentName    = "RefundPayment"
)

// ErrTypePaymentDeclined marks a non-retryable declined authorization.
const ErrTypePaymentDeclined = "PaymentDeclined"

// OrderStore keeps the order service's copy of each order.
type OrderStore interface {
	// Save stores rec unless the store already holds the same order at a higher or equal Seq.
	Save(ctx context.Context, rec orders.Order) error
}

// EventPublisher publishes events; it returns once the broker has them.
type EventPublisher interface {
	Publish(ctx context.Context, e domain.Event) error
}

// Orders holds the order service's bookkeeping activity.
type Orders struct {
	Store  OrderStore
	Events EventPublisher
}

// OrderSource names the order service in event envelopes.
const OrderSource = "order-service"

// RecordOrder stores a transition and publishes its event (order.<status>, id "order/<id>/<seq>").
// The saga runs it as a local activity: it is the order service's own database, so it needs no
// trip through the task queue. Storing is conditional on Seq and the event id is fixed, so a retry
// changes nothing and consumers can drop the repeat.
func (a *Orders) RecordOrder(ctx context.Context, rec orders.Order) error {
	if err := a.Store.Save(ctx, rec); err != nil {
		return fmt.Errorf("record order %s #%d: %w", rec.OrderID, rec.Seq, err)
	}
	status := string(rec.Status)
	if rec.Status == domain.StatusPending {
		status = "placed" // the original's name for a new order
	}
	ev := domain.Event{
		ID:         fmt.Sprintf("order/%s/%d", rec.OrderID, rec.Seq),
		Type:       "order." + strings.ToLower(status),
		OccurredAt: rec.UpdatedAt,
		Source:     OrderSource,
		Subject:    rec.OrderID,
		Data:       rec,
	}
	if err := a.Events.Publish(ctx, ev); err != nil {
		return fmt.Errorf("record order %s #%d: %w", rec.OrderID, rec.Seq, err)
	}
	return nil
}

// Register adds the order service's activities to a worker under their names.
func (a *Orders) Register(r Registry) {
	r.RegisterActivityWithOptions(a.RecordOrder, activity.RegisterOptions{Name: RecordOrderName})
}
