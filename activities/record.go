package activities

import (
	"context"

	"go.temporal.io/sdk/activity"

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

// OrderSource names the order service in event envelopes (orders.Source).
const OrderSource = orders.Source

// Recorder records an order's transitions, oldest first (orders.Service.Record).
type Recorder interface {
	Record(ctx context.Context, transitions ...orders.Order) error
}

// Orders holds the order service's bookkeeping activity.
type Orders struct {
	Recorder Recorder
}

// RecordOrder stores a transition and publishes its event (orders.Service.Record: a retry changes
// nothing). The saga runs it as a local activity: it is the order service's own database, so it needs
// no trip through the task queue.
func (a *Orders) RecordOrder(ctx context.Context, rec orders.Order) error {
	return a.Recorder.Record(ctx, rec)
}

// Register adds the order service's activities to a worker under their names.
func (a *Orders) Register(r Registry) {
	r.RegisterActivityWithOptions(a.RecordOrder, activity.RegisterOptions{Name: RecordOrderName})
}
