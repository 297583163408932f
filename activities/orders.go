package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/order-saga/shop/domain"
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

// ReasonUnpriceable is the ReasonCode of an order REJECTED because its total cannot be computed: it
// overflows, or its lines are priced in more than one currency.
const ReasonUnpriceable = "unpriceable"

// OrderLineRecord is one line of an order as stored and shown.
type OrderLineRecord struct {
	ProductCode    string `json:"productCode" bson:"productCode"`
	Quantity       int64  `json:"quantity" bson:"quantity"`
	UnitPriceMinor int64  `json:"unitPriceMinor" bson:"unitPriceMinor"`
	Currency       string `json:"currency,omitempty" bson:"currency,omitempty"`
}

// StepRecord is one step of an order's saga as the status query and the API show it.
type StepRecord struct {
	Name      string `json:"name" bson:"name"`
	State     string `json:"state" bson:"state"`
	Attempts  int    `json:"attempts" bson:"attempts"`
	LastError string `json:"lastError,omitempty" bson:"lastError,omitempty"`
}

// OrderRecord is an order as the saga knows it: what RecordOrder stores, what the status query
// answers. Seq counts the order's transitions, so a stale write never overwrites a newer one and each
// transition's event has an id of its own.
type OrderRecord struct {
	OrderID    string             `json:"orderId" bson:"_id"`
	CustomerID string             `json:"customerId" bson:"customerId"`
	Status     domain.OrderStatus `json:"status" bson:"status"`
	Reason     string             `json:"reason,omitempty" bson:"reason,omitempty"`
	// ReasonCode says in one word of a closed set why an order was refused, where its status alone
	// does not (ReasonUnpriceable).
	ReasonCode string            `json:"reasonCode,omitempty" bson:"reasonCode,omitempty"`
	Lines      []OrderLineRecord `json:"lines" bson:"lines"`
	TotalMinor int64             `json:"totalMinor" bson:"totalMinor"`
	Currency   string            `json:"currency,omitempty" bson:"currency,omitempty"`
	PaymentID  string            `json:"paymentId,omitempty" bson:"paymentId,omitempty"`
	Steps      []StepRecord      `json:"steps" bson:"steps"`
	Seq        int64             `json:"seq" bson:"seq"`
	CreatedAt  time.Time         `json:"createdAt" bson:"createdAt"`
	UpdatedAt  time.Time         `json:"updatedAt" bson:"updatedAt"`
}

// OrderStore keeps the order service's copy of each order.
type OrderStore interface {
	// Save stores rec unless the store already holds the same order at a higher or equal Seq.
	Save(ctx context.Context, rec OrderRecord) error
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
func (a *Orders) RecordOrder(ctx context.Context, rec OrderRecord) error {
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

// PaymentGateway is the port to the payment provider. Each call carries an idempotency key, so the
// provider does a repeated call once; payments are found by the order they pay for.
type PaymentGateway interface {
	// Authorize holds amount on the card behind token; domain.ErrPaymentDeclined if refused.
	Authorize(ctx context.Context, key, orderID, token string, amount domain.Money) (paymentID string, err error)
	Capture(ctx context.Context, key, orderID string) error
	// Void cancels an authorization that was not captured (or records that none may follow).
	Void(ctx context.Context, key, orderID string) error
	// Refund returns a captured payment.
	Refund(ctx context.Context, key, orderID string) error
}

// AuthorizePaymentInput is the payload of AuthorizePayment.
type AuthorizePaymentInput struct {
	OrderID     string `json:"orderId"`
	Token       string `json:"token"`
	AmountMinor int64  `json:"amountMinor"`
	Currency    string `json:"currency"`
}

// Payments holds the payment activities, run on task queue "orders".
type Payments struct {
	Gateway PaymentGateway
}

// Register adds the order service's activities to a worker under their names.
func (a *Orders) Register(r Registry) {
	r.RegisterActivityWithOptions(a.RecordOrder, activity.RegisterOptions{Name: RecordOrderName})
}

// Register adds the payment activities to a worker under their names.
func (a *Payments) Register(r Registry) {
	r.RegisterActivityWithOptions(a.AuthorizePayment, activity.RegisterOptions{Name: AuthorizePaymentName})
	r.RegisterActivityWithOptions(a.CapturePayment, activity.RegisterOptions{Name: CapturePaymentName})
	r.RegisterActivityWithOptions(a.VoidPayment, activity.RegisterOptions{Name: VoidPaymentName})
	r.RegisterActivityWithOptions(a.RefundPayment, activity.RegisterOptions{Name: RefundPaymentName})
}

// AuthorizePayment holds the order's total; a decline is non-retryable.
func (a *Payments) AuthorizePayment(ctx context.Context, in AuthorizePaymentInput) (string, error) {
	id, err := a.Gateway.Authorize(ctx, in.OrderID+":authorize", in.OrderID, in.Token,
		domain.Money{Minor: in.AmountMinor, Currency: in.Currency})
	return id, paymentError(err)
}

// paymentError makes the provider's deliberate refusals non-retryable; outages stay retryable.
func paymentError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, domain.ErrPaymentDeclined):
		return temporal.NewNonRetryableApplicationError("the card was declined", ErrTypePaymentDeclined, err)
	case errors.Is(err, domain.ErrConflict):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeConflict, err)
	case errors.Is(err, domain.ErrInvalid):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInvalidInput, err)
	}
	return err
}

// CapturePayment takes the authorized amount.
func (a *Payments) CapturePayment(ctx context.Context, orderID string) error {
	return paymentError(a.Gateway.Capture(ctx, orderID+":capture", orderID))
}

// VoidPayment releases an uncaptured authorization (compensation).
func (a *Payments) VoidPayment(ctx context.Context, orderID string) error {
	return paymentError(a.Gateway.Void(ctx, orderID+":void", orderID))
}

// RefundPayment returns a captured payment (compensation).
func (a *Payments) RefundPayment(ctx context.Context, orderID string) error {
	return paymentError(a.Gateway.Refund(ctx, orderID+":refund", orderID))
}
