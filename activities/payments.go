package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

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

// RecordThenAuthorizeName is the order service's authorization step with the order's pending record
// folded in (RecordThenAuthorize).
const RecordThenAuthorizeName = "RecordThenAuthorize"

// RecordThenAuthorizeInput is the payload of RecordThenAuthorize: Record, the newest transition,
// and the transitions before it that were not recorded yet, oldest first (none from sagas started
// before they could be).
type RecordThenAuthorizeInput struct {
	Earlier []orders.Order        `json:"earlier,omitempty"`
	Record  orders.Order          `json:"record"`
	Payment AuthorizePaymentInput `json:"payment"`
}

// OrderSteps folds the order service's own bookkeeping into its payment steps, so that the saga
// spends one local activity (one history event) on both.
type OrderSteps struct {
	Orders   *Orders
	Payments *Payments
}

// Register adds the folded steps to a worker under their names.
func (a *OrderSteps) Register(r Registry) {
	r.RegisterActivityWithOptions(a.RecordThenAuthorize, activity.RegisterOptions{Name: RecordThenAuthorizeName})
}

// RecordThenAuthorize records the order's transitions (orders.Service.Record) and authorizes its
// payment, side by side: they are independent and each is idempotent, so the step waits for the
// longer of the two, and a retry after either failed repeats nothing. A declined card is the step's
// answer (the saga then records FAILED after these transitions); a failed record makes the step
// retry, the authorization being given again under its idempotency key.
func (a *OrderSteps) RecordThenAuthorize(ctx context.Context, in RecordThenAuthorizeInput) (string, error) {
	recorded := make(chan error, 1)
	go func() { recorded <- a.Orders.Recorder.Record(ctx, append(in.Earlier, in.Record)...) }()
	paymentID, err := a.Payments.AuthorizePayment(ctx, in.Payment)
	if rerr := <-recorded; rerr != nil && err == nil {
		return "", rerr
	}
	return paymentID, err
}
