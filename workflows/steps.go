package workflows

import (
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/orders"
)

// forwardStep is one forward step of the saga.
type forwardStep struct {
	name    string
	started *bool // what compensation reads: the step may have done something
	// run runs the step once under its retry policy. stepCtx is cancelled by a cancel request; ctx
	// is not (a local attempt is short and ends on its own: see runOrderService).
	run func(ctx, stepCtx workflow.Context, st *orders.Step) error
}

// errCancelRequested ends a step when the order is cancelled meanwhile; errCompensateDecided ends a
// parked step that an operator (or the parking deadline) chose to compensate.
var (
	errCancelRequested   = errors.New("cancel requested while the step was running")
	errCompensateDecided = errors.New("compensation decided while parked")
)

// runStep runs a forward step until it succeeds or fails for good. A refusal (non-retryable), a
// cancel request or the workflow's cancellation ends it; a spent retry policy or a passed
// ScheduleToClose parks the saga, and an operator's retry runs the step again with a fresh budget.
func (s *saga) runStep(ctx workflow.Context, fs forwardStep) error {
	st := s.step(fs.name)
	st.State = orders.StepRunning
	for {
		if s.cancelRequested {
			st.State = orders.StepFailed
			return errCancelRequested
		}
		stepCtx, cancel := workflow.WithCancel(ctx)
		s.cancelStep = cancel
		err := fs.run(ctx, stepCtx, st)
		s.cancelStep = nil
		cancel()
		if err == nil {
			st.State, st.LastError = orders.StepCompleted, ""
			return nil
		}
		st.LastError = failureMessage(err)
		switch {
		case ctx.Err() != nil || (temporal.IsCanceledError(err) && !s.cancelRequested):
			st.State = orders.StepFailed
			return err
		case s.cancelRequested:
			st.State = orders.StepFailed
			return errCancelRequested
		case nonRetryable(err):
			st.State = orders.StepFailed
			return err
		}
		if err := s.parkStep(ctx, st, err); err != nil {
			return err
		}
	}
}

// runActivity runs a step's activity (on the inventory's or the saga's task queue) once: Temporal
// retries it under the step's policy until it succeeds, is refused, its attempts are spent or its
// ScheduleToClose passes. Neither the attempts nor the waits between them reach the history.
func (s *saga) runActivity(ctx workflow.Context, st *orders.Step, opts workflow.ActivityOptions, activity string, arg, result any) error {
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), activity, arg).Get(ctx, result)
	st.Attempts += attemptsMade(err)
	return err
}

// localFirst is a step that makes ONE local attempt first, then falls back to a regular activity: on
// the happy path that costs one marker in the history, where a regular activity costs three events
// and a workflow task (and, on another task queue, a dispatch).
type localFirst struct {
	summary  string
	local    string                   // the local activity
	activity string                   // the regular activity it falls back to
	options  workflow.ActivityOptions // the regular activity's (its task queue)
}

// runLocalFirst runs step's local attempt; if that attempt fails retryably, the regular activity runs
// under the step's policy (its remaining attempts) and ScheduleToClose: an outage of any length then
// costs a constant number of events, and the retrying step shows in the UI's pending activities. A
// refusal (a declined card, short stock) ends the step at once. The local attempt runs in ctx, not
// the step's cancellable context: it ends within its short StartToClose, so a compensation never
// overtakes it.
func (s *saga) runLocalFirst(ctx, stepCtx workflow.Context, st *orders.Step, step localFirst, arg, result any) error {
	local := orderServiceAttempt
	local.Summary = step.summary
	err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, local), step.local, arg).Get(ctx, result)
	st.Attempts++
	if err == nil || nonRetryable(err) || s.cancelRequested || ctx.Err() != nil {
		return err
	}
	st.LastError = failureMessage(err)
	opts := s.policy.forwardOptions(step.options, step.summary+" (after a failed local attempt)")
	opts.RetryPolicy.MaximumAttempts = int32(max(s.policy.MaxAttempts-1, 1))
	return s.runActivity(stepCtx, st, opts, step.activity, arg, result)
}

// runOrderService runs the order service's own work (payments, with the order's record folded in
// where one is due) local first, falling back to the same activity on the saga's task queue.
func (s *saga) runOrderService(ctx, stepCtx workflow.Context, st *orders.Step, summary, activity string, arg, result any) error {
	return s.runLocalFirst(ctx, stepCtx, st, localFirst{summary: summary, local: activity, activity: activity, options: paymentActivity}, arg, result)
}

// runInventory runs an inventory step: since directStockVersion, local first through the inventory's
// HTTP API (local), falling back to the inventory's worker; before it, on the inventory's worker only.
func (s *saga) runInventory(ctx, stepCtx workflow.Context, st *orders.Step, summary, local, activity string, arg, result any) error {
	if s.directStock {
		return s.runLocalFirst(ctx, stepCtx, st, localFirst{summary: summary, local: local, activity: activity, options: s.inventory}, arg, result)
	}
	return s.runActivity(stepCtx, st, s.policy.forwardOptions(s.inventory, summary), activity, arg, result)
}

func (s *saga) reserveStep(out *activities.ReserveStockResult) forwardStep {
	return forwardStep{name: StepReserveStock, started: &s.reserveStarted, run: func(ctx, stepCtx workflow.Context, st *orders.Step) error {
		summary := fmt.Sprintf("Reserve %d product(s) for order %s", len(s.order.Lines), s.order.ID)
		in := activities.ReserveStockInput{OrderID: s.order.ID, Lines: s.stockLines()}
		return s.runInventory(ctx, stepCtx, st, summary, activities.ReserveStockViaAPIName, activities.ReserveStockName, in, out)
	}}
}

// authorizeStep authorizes the payment; the transitions not recorded yet (RESERVED, and PENDING
// before it since foldedStartVersion) ride along (RecordThenAuthorize).
func (s *saga) authorizeStep() forwardStep {
	return forwardStep{name: StepAuthorizePayment, started: &s.authorizeStarted, run: func(ctx, stepCtx workflow.Context, st *orders.Step) error {
		pay := activities.AuthorizePaymentInput{OrderID: s.order.ID, Token: s.token, AmountMinor: s.rec.TotalMinor, Currency: s.rec.Currency}
		summary := fmt.Sprintf("Authorize %s %s", s.totalString(), s.rec.Currency)
		n := len(s.unrecorded)
		if n == 0 {
			return s.runOrderService(ctx, stepCtx, st, summary, activities.AuthorizePaymentName, pay, &s.rec.PaymentID)
		}
		in := activities.RecordThenAuthorizeInput{Earlier: s.unrecorded[:n-1], Record: s.unrecorded[n-1], Payment: pay}
		statuses := make([]string, n)
		for i, rec := range s.unrecorded {
			statuses[i] = string(rec.Status)
		}
		err := s.runOrderService(ctx, stepCtx, st, summary+" (and record the order as "+strings.Join(statuses, ", then ")+")", activities.RecordThenAuthorizeName, in, &s.rec.PaymentID)
		if err == nil {
			s.unrecorded = nil
		}
		return err
	}}
}

func (s *saga) commitStep() forwardStep {
	return forwardStep{name: StepCommitStock, started: &s.commitStarted, run: func(ctx, stepCtx workflow.Context, st *orders.Step) error {
		return s.runInventory(ctx, stepCtx, st, "Commit reserved stock of order "+s.order.ID, activities.CommitStockViaAPIName, activities.CommitStockName, s.order.ID, nil)
	}}
}

func (s *saga) captureStep() forwardStep {
	return forwardStep{name: StepCapturePayment, started: &s.captureStarted, run: func(ctx, stepCtx workflow.Context, st *orders.Step) error {
		summary := fmt.Sprintf("Capture %s %s", s.totalString(), s.rec.Currency)
		return s.runOrderService(ctx, stepCtx, st, summary, activities.CapturePaymentName, s.order.ID, nil)
	}}
}
