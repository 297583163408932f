package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

// compensationStep is one compensation the saga owes: which activity undoes which step.
type compensationStep struct {
	name, activity, summary string
	opts                    workflow.ActivityOptions
}

// compensate undoes every forward step that was started, then records the final status. It runs in a
// disconnected context so that cancelling the workflow still compensates. The payment (refund or void)
// and the stock release are independent of one another and run side by side.
func (s *saga) compensate(ctx workflow.Context, final domain.OrderStatus, reason string) (orders.Order, error) {
	dctx, cancel := workflow.NewDisconnectedContext(ctx)
	defer cancel()
	if err := s.moveTo(dctx, domain.StatusCompensating, reason); err != nil {
		return s.rec, err
	}
	workflow.SetCurrentDetails(dctx, "COMPENSATING: "+reason)

	var owed []compensationStep
	if s.captureStarted {
		owed = append(owed, compensationStep{StepRefundPayment, activities.RefundPaymentName, "Refund the payment of order " + s.order.ID, paymentActivity})
	} else if s.authorizeStarted {
		owed = append(owed, compensationStep{StepVoidPayment, activities.VoidPaymentName, "Void the payment authorization of order " + s.order.ID, paymentActivity})
	}
	if s.reserveStarted {
		owed = append(owed, compensationStep{StepReleaseStock, activities.ReleaseStockName, "Release (or restock) the stock of order " + s.order.ID, s.inventory})
	}
	if s.guarded(dctx) {
		if err := s.compensateConcurrently(dctx, owed, reason); err != nil {
			return s.rec, err
		}
	} else {
		for _, c := range owed { // sagas started before the change: one after the other, a loop each
			s.compensateInLoop(dctx, c)
		}
	}
	if err := s.moveTo(dctx, final, reason); err != nil {
		return s.rec, err
	}
	workflow.SetCurrentDetails(dctx, string(final)+": "+reason)
	return s.rec, nil
}

// compensateConcurrently runs the owed compensations side by side until each has succeeded. Temporal
// retries each without limit; only a non-retryable refusal ends one, and then the saga parks for an
// operator (or its deadline), after which the refused ones run again.
func (s *saga) compensateConcurrently(ctx workflow.Context, owed []compensationStep, reason string) error {
	for {
		failed := s.runCompensations(ctx, owed)
		if len(failed) == 0 {
			return nil
		}
		if err := s.parkCompensations(ctx, failed, reason); err != nil {
			return err
		}
		owed = failed
	}
}

// runCompensations starts every compensation at once and returns those that were refused for good.
func (s *saga) runCompensations(ctx workflow.Context, owed []compensationStep) []compensationStep {
	var failed []compensationStep
	wg := workflow.NewWaitGroup(ctx)
	for _, c := range owed {
		st := s.step(c.name)
		st.State, st.LastError = orders.StepCompensating, ""
		st.Attempts++ // runs of this compensation; Temporal counts the attempts within a run
		opts := c.opts
		opts.Summary, opts.RetryPolicy = c.summary, &CompensationRetry
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), c.activity, s.order.ID).Get(ctx, nil)
			st := s.step(c.name) // look up again: the steps slice may have grown meanwhile
			if err != nil {
				st.State, st.LastError = orders.StepFailed, failureMessage(err)
				failed = append(failed, c)
				return
			}
			st.State, st.LastError = orders.StepCompensated, ""
		})
	}
	wg.Wait(ctx) // ctx is disconnected: it is never cancelled
	return failed
}

// parkCompensations puts the saga in NEEDS_ATTENTION after a compensation was refused for good (a
// refusal no retry can change) and waits for an operator's decision or the parking deadline; either
// way the refused compensations then run again, since the order must end compensated.
func (s *saga) parkCompensations(ctx workflow.Context, failed []compensationStep, reason string) error {
	why := ""
	for i, c := range failed {
		if i > 0 {
			why += "; "
		}
		why += fmt.Sprintf("%s was refused: %s", c.name, s.step(c.name).LastError)
	}
	if err := s.moveTo(ctx, domain.StatusNeedsAttention, why); err != nil {
		return err
	}
	deadline := workflow.Now(ctx).Add(s.policy.ParkDeadline).UTC().Format(time.RFC3339)
	workflow.SetCurrentDetails(ctx, fmt.Sprintf("NEEDS_ATTENTION while compensating: %s. Update or signal %q with {\"action\":\"retry\"} or {\"action\":\"compensate\"} runs it again (so does the deadline, %s).", why, OperatorDecision, deadline))
	s.decision = Decision{}
	wait := workflow.AwaitOptions{Timeout: s.policy.ParkDeadline, TimerOptions: workflow.TimerOptions{
		Summary: "Wait for an operator's decision on a refused compensation (runs it again at " + deadline + ")",
	}}
	if _, err := workflow.AwaitWithOptions(ctx, wait, func() bool { return s.decision.Action != "" }); err != nil {
		return err
	}
	return s.moveTo(ctx, domain.StatusCompensating, reason)
}
