package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

// parkStep parks the saga on st (see park) and hands back the decision: nil runs the step again (st
// is running once more), errCompensateDecided compensates; any other error ended the wait.
func (s *saga) parkStep(ctx workflow.Context, st *orders.Step, cause error) error {
	action, err := s.park(ctx, st, cause)
	switch {
	case err != nil:
		st.State = orders.StepFailed
		return err
	case action == ActionCompensate:
		st.State = orders.StepFailed
		return errCompensateDecided
	}
	st.State = orders.StepRunning
	return nil
}

// park puts the saga in NEEDS_ATTENTION after st's run failed with cause (its retries spent, or its
// time bound passed) and waits for an operator's decision, a cancel, or the deadline (which
// compensates). It returns ActionRetry (the status is back where it was) or ActionCompensate (the
// reason says who decided).
func (s *saga) park(ctx workflow.Context, st *orders.Step, cause error) (string, error) {
	resume := s.order.Status
	why := fmt.Sprintf("%s failed %d times; last error: %s", st.Name, st.Attempts, st.LastError)
	if s.native && timedOut(cause) {
		why = fmt.Sprintf("%s did not succeed within %s (%d attempts); last error: %s", st.Name, s.policy.StepTimeout, st.Attempts, st.LastError)
	}
	if err := s.moveTo(ctx, domain.StatusNeedsAttention, why); err != nil {
		return "", err
	}
	deadline := workflow.Now(ctx).Add(s.policy.ParkDeadline).UTC().Format(time.RFC3339)
	workflow.SetCurrentDetails(ctx, fmt.Sprintf("NEEDS_ATTENTION: %s. Waiting for an operator: update or signal %q with {\"action\":\"retry\"} or {\"action\":\"compensate\"} (or shop ctl retry|compensate). Compensates by itself at %s.", why, OperatorDecision, deadline))
	s.decision = Decision{}
	wait := workflow.AwaitOptions{Timeout: s.policy.ParkDeadline, TimerOptions: workflow.TimerOptions{
		Summary: "Wait for an operator's decision (compensates by itself at " + deadline + ")",
	}}
	decided, err := workflow.AwaitWithOptions(ctx, wait, func() bool {
		return s.decision.Action != "" || s.cancelRequested
	})
	if err != nil {
		return "", err
	}
	switch {
	case !decided:
		s.rec.Reason = fmt.Sprintf("no operator decision within %s after %s", s.policy.ParkDeadline, why)
		return ActionCompensate, nil
	case s.cancelRequested:
		s.rec.Reason = s.cancelledReason()
		return ActionCompensate, nil
	case s.decision.Action == ActionCompensate:
		s.rec.Reason = "compensated by " + s.decision.who() + " after " + why
		return ActionCompensate, nil
	}
	if err := s.moveTo(ctx, resume, "retry by "+s.decision.who()); err != nil {
		return "", err
	}
	return ActionRetry, nil
}

// finishFailedStep ends the saga after a forward step failed for good: a rejection needs no
// compensation (the inventory rolled its own reservation back); a decline or any other refusal
// compensates to FAILED; a cancel request or an operator's decision compensates to CANCELLED;
// cancelling the workflow compensates to CANCELLED and ends the workflow as cancelled.
func (s *saga) finishFailedStep(ctx workflow.Context, err error) (orders.Order, error) {
	if errors.Is(err, errCancelRequested) {
		return s.compensate(ctx, domain.StatusCancelled, s.cancelledReason())
	}
	if errors.Is(err, errCompensateDecided) {
		return s.compensate(ctx, domain.StatusCancelled, s.rec.Reason)
	}
	if temporal.IsCanceledError(err) || ctx.Err() != nil {
		rec, _ := s.compensate(ctx, domain.StatusCancelled, "the order's workflow was cancelled")
		return rec, temporal.NewCanceledError()
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		switch appErr.Type() {
		case activities.ErrTypeUnknownProduct, activities.ErrTypeInsufficientStock:
			if err := s.moveTo(ctx, domain.StatusRejected, appErr.Message()); err != nil {
				return s.rec, err
			}
			return s.rec, nil
		case activities.ErrTypePaymentDeclined:
			s.authorizeStarted = false // a declined authorization does not exist: nothing to void
			return s.compensate(ctx, domain.StatusFailed, "payment declined: "+appErr.Message())
		}
		return s.compensate(ctx, domain.StatusFailed, appErr.Message())
	}
	return s.compensate(ctx, domain.StatusFailed, err.Error())
}
