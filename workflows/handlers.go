package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

// registerHandlers registers the status query and the signals and updates the saga takes.
func (s *saga) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (orders.Order, error) {
		return s.rec, nil
	}); err != nil {
		return err
	}
	s.receiveSignals(ctx)
	if err := workflow.SetUpdateHandlerWithOptions(ctx, Cancel,
		func(ctx workflow.Context, req CancelRequest) (orders.Order, error) {
			s.requestCancel(req)
			err := workflow.Await(ctx, func() bool { return s.order.Status.Terminal() })
			return s.rec, err
		},
		workflow.UpdateHandlerOptions{Validator: func(CancelRequest) error {
			if !s.order.Status.Cancellable() && !s.cancelRequested {
				return fmt.Errorf("order %s is %s: it can no longer be cancelled", s.order.ID, s.order.Status)
			}
			return nil
		}},
	); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, OperatorDecision,
		func(ctx workflow.Context, d Decision) (orders.Order, error) {
			s.decision = d
			// Answer once the decision has taken effect: the saga left NEEDS_ATTENTION.
			err := workflow.Await(ctx, func() bool { return s.order.Status != domain.StatusNeedsAttention })
			return s.rec, err
		},
		workflow.UpdateHandlerOptions{Validator: func(d Decision) error {
			if !validAction(d.Action) {
				return fmt.Errorf("action must be %q or %q", ActionRetry, ActionCompensate)
			}
			if s.order.Status != domain.StatusNeedsAttention {
				return fmt.Errorf("order %s is %s: only a parked order (NEEDS_ATTENTION) takes an operator decision", s.order.ID, s.order.Status)
			}
			return nil
		}},
	); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandler(ctx, AwaitDecision, func(ctx workflow.Context) (orders.Order, error) {
		err := workflow.Await(ctx, func() bool { return OutcomeKnown(s.order.Status) })
		return s.rec, err
	}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, Fulfill,
		func(ctx workflow.Context) (orders.Order, error) {
			s.fulfillRequested = true
			err := workflow.Await(ctx, func() bool { return s.order.Status.Terminal() })
			return s.rec, err
		},
		workflow.UpdateHandlerOptions{Validator: func() error {
			if s.order.Status != domain.StatusConfirmed {
				return fmt.Errorf("order %s is %s: only a CONFIRMED order can be fulfilled", s.order.ID, s.order.Status)
			}
			return nil
		}},
	)
}

// receiveSignals takes the signals of the same names as the updates (cancel, fulfill, operator
// decision), as the Temporal UI sends them.
func (s *saga) receiveSignals(ctx workflow.Context) {
	workflow.Go(ctx, func(ctx workflow.Context) {
		ch := workflow.GetSignalChannel(ctx, Cancel)
		for {
			var req CancelRequest
			ch.Receive(ctx, &req)
			s.requestCancel(req)
		}
	})
	workflow.Go(ctx, func(ctx workflow.Context) {
		ch := workflow.GetSignalChannel(ctx, Fulfill)
		for {
			ch.Receive(ctx, nil)
			// Only a CONFIRMED order is fulfilled; an earlier signal is dropped, not remembered
			// (the update of the same name is refused then). Sagas started before the change
			// remembered it.
			if s.order.Status == domain.StatusConfirmed || !s.guarded(ctx) {
				s.fulfillRequested = true
			} else {
				workflow.GetLogger(ctx).Info("fulfil signal ignored: the order is not CONFIRMED", "status", s.order.Status)
			}
		}
	})
	workflow.Go(ctx, func(ctx workflow.Context) {
		ch := workflow.GetSignalChannel(ctx, OperatorDecision)
		for {
			var d Decision
			ch.Receive(ctx, &d)
			if s.order.Status == domain.StatusNeedsAttention && validAction(d.Action) {
				s.decision = d
			}
		}
	})
}

// requestCancel notes the first cancel request and cancels the forward step running, so that a step
// that keeps failing ends at once rather than after its retry policy (a running attempt ends within
// its StartToClose: the saga waits for it before compensating).
func (s *saga) requestCancel(req CancelRequest) {
	if s.cancelRequested {
		return
	}
	s.cancelRequested, s.cancelReason = true, req.Reason
	if s.cancelStep != nil && s.native {
		s.cancelStep()
	}
}
