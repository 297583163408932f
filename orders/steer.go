package orders

import (
	"context"
	"errors"
	"fmt"

	"github.com/order-saga/shop/domain"
)

// Action is what an operator decides for a parked order.
type Action string

// Operator actions on a parked saga (NEEDS_ATTENTION).
const (
	// ActionRetry runs the failed step again with a fresh budget of attempts.
	ActionRetry Action = "retry"
	// ActionCompensate undoes what was done and cancels the order.
	ActionCompensate Action = "compensate"
)

// Decision is an operator's decision on a parked order.
type Decision struct {
	Action Action
	// Operator names who decided, for the record.
	Operator string
}

// Cancel cancels an order (by its customer or an operator) and returns it once compensated.
func (s *Service) Cancel(ctx context.Context, orderID, reason string) (Order, error) {
	o, err := s.p.Sagas.Cancel(ctx, orderID, reason)
	return o, s.steerError(ctx, orderID, "cancel", err)
}

// Fulfill marks a CONFIRMED order shipped: COMPLETED.
func (s *Service) Fulfill(ctx context.Context, orderID string) (Order, error) {
	o, err := s.p.Sagas.Fulfill(ctx, orderID)
	return o, s.steerError(ctx, orderID, "fulfill", err)
}

// Decide hands an operator's decision to a parked order; domain.ErrConflict when it is not parked.
func (s *Service) Decide(ctx context.Context, orderID string, d Decision) (Order, error) {
	if d.Action != ActionRetry && d.Action != ActionCompensate {
		return Order{}, &domain.ValidationError{Fields: []domain.FieldError{
			{Field: "action", Message: fmt.Sprintf("must be %q or %q", ActionRetry, ActionCompensate)}}}
	}
	o, err := s.p.Sagas.Decide(ctx, orderID, d)
	return o, s.steerError(ctx, orderID, string(d.Action), err)
}

// steerError gives a refused request its meaning. A saga that is not found may have been dropped by
// Temporal's retention while its order is stored: that order has ended, so the request conflicts
// with it rather than naming no order.
func (s *Service) steerError(ctx context.Context, orderID, op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, domain.ErrNotFound) {
		o, gerr := s.p.Store.Get(ctx, orderID)
		if gerr == nil {
			return fmt.Errorf("%s order %s: it is %s and its saga has ended: %w", op, orderID, o.Status, domain.ErrConflict)
		}
		if !errors.Is(gerr, domain.ErrNotFound) {
			return fmt.Errorf("%s order %s: %w", op, orderID, errors.Join(err, gerr))
		}
	}
	return fmt.Errorf("%s order %s: %w", op, orderID, err)
}
