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

// The saga as it ran before nativeRetriesChange (versions.go): each attempt of a forward step is an
// activity of its own, retried here with a timer, and every transition is recorded by a local
// activity retried in a loop. Not dead code: sagas started before the change replay through it until
// they end (testdata/v1-*, v2-*, v3-*), and it may go once none of them is left running.

// runLegacy is run as it was before nativeRetriesChange.
func (s *saga) runLegacy(ctx workflow.Context) (orders.Order, error) {
	s.record(ctx, "")

	var reserved activities.ReserveStockResult
	s.reserveStarted = true
	err := s.forwardWithTimers(ctx, StepReserveStock, func(ctx workflow.Context) error {
		ctx = withSummary(ctx, s.inventory, fmt.Sprintf("Reserve %d product(s) for order %s", len(s.order.Lines), s.order.ID))
		return workflow.ExecuteActivity(ctx, activities.ReserveStockName,
			activities.ReserveStockInput{OrderID: s.order.ID, Lines: s.stockLines()}).Get(ctx, &reserved)
	})
	if err != nil {
		return s.finishFailedStep(ctx, err)
	}
	if err := s.price(reserved); err != nil {
		if s.guarded(ctx) {
			s.rec.ReasonCode = orders.ReasonUnpriceable
			return s.compensate(ctx, domain.StatusRejected, err.Error())
		}
		return s.compensate(ctx, domain.StatusFailed, err.Error())
	}
	if err := s.moveTo(ctx, domain.StatusReserved, ""); err != nil {
		return s.rec, err
	}
	steps := []struct {
		name    string
		started *bool
		call    func(ctx workflow.Context) error
	}{
		{StepAuthorizePayment, &s.authorizeStarted, func(ctx workflow.Context) error {
			ctx = withSummary(ctx, paymentActivity, fmt.Sprintf("Authorize %s %s", s.totalString(), s.rec.Currency))
			return workflow.ExecuteActivity(ctx, activities.AuthorizePaymentName, activities.AuthorizePaymentInput{
				OrderID: s.order.ID, Token: s.token, AmountMinor: s.rec.TotalMinor, Currency: s.rec.Currency,
			}).Get(ctx, &s.rec.PaymentID)
		}},
		{StepCommitStock, &s.commitStarted, func(ctx workflow.Context) error {
			ctx = withSummary(ctx, s.inventory, "Commit reserved stock of order "+s.order.ID)
			return workflow.ExecuteActivity(ctx, activities.CommitStockName, s.order.ID).Get(ctx, nil)
		}},
		{StepCapturePayment, &s.captureStarted, func(ctx workflow.Context) error {
			ctx = withSummary(ctx, paymentActivity, fmt.Sprintf("Capture %s %s", s.totalString(), s.rec.Currency))
			return workflow.ExecuteActivity(ctx, activities.CapturePaymentName, s.order.ID).Get(ctx, nil)
		}},
	}
	for _, st := range steps {
		if s.cancelRequested {
			return s.compensate(ctx, domain.StatusCancelled, s.cancelledReason())
		}
		*st.started = true
		if err := s.forwardWithTimers(ctx, st.name, st.call); err != nil {
			return s.finishFailedStep(ctx, err)
		}
	}
	if err := s.moveTo(ctx, domain.StatusConfirmed, ""); err != nil {
		return s.rec, err
	}
	return s.awaitFulfilment(ctx)
}

// forwardWithTimers runs one forward step of a legacy saga: one activity attempt per call
// (MaximumAttempts 1), retried here after a timer, parking once the budget is spent (parkingChange).
func (s *saga) forwardWithTimers(ctx workflow.Context, name string, call func(ctx workflow.Context) error) error {
	st := s.step(name)
	st.State = orders.StepRunning
	budget := s.policy.MaxAttempts
	for {
		st.Attempts++
		budget--
		err := call(ctx)
		if err == nil {
			st.State, st.LastError = orders.StepCompleted, ""
			return nil
		}
		st.LastError = failureMessage(err)
		var appErr *temporal.ApplicationError
		if (errors.As(err, &appErr) && appErr.NonRetryable()) || temporal.IsCanceledError(err) || ctx.Err() != nil {
			st.State = orders.StepFailed
			return err
		}
		if budget <= 0 && workflow.GetVersion(ctx, parkingChange, workflow.DefaultVersion, parkingVersion) >= parkingVersion {
			if err := s.parkStep(ctx, st, err); err != nil {
				return err
			}
			budget = s.policy.MaxAttempts
			continue
		}
		workflow.SetCurrentDetails(ctx, fmt.Sprintf("%s: retrying %s after attempt %d failed: %s", s.order.Status, name, st.Attempts, st.LastError))
		delay := retryDelay(st.Attempts)
		wait := workflow.AwaitOptions{Timeout: delay, TimerOptions: workflow.TimerOptions{
			Summary: fmt.Sprintf("Wait %s before attempt %d of %s", delay, st.Attempts+1, name),
		}}
		if _, err := workflow.AwaitWithOptions(ctx, wait, func() bool { return s.cancelRequested }); err != nil {
			st.State = orders.StepFailed
			return err
		}
		if s.cancelRequested {
			st.State = orders.StepFailed
			return errCancelRequested
		}
	}
}

// recordInLoop is record for legacy sagas: both search attributes on every transition, and the local
// activity retried in a loop until stored.
func (s *saga) recordInLoop(ctx workflow.Context, reason string) {
	s.stamp(ctx, reason)
	_ = workflow.UpsertTypedSearchAttributes(ctx,
		OrderStatusKey.ValueSet(string(s.order.Status)),
		CustomerIDKey.ValueSet(s.order.CustomerID))
	if s.order.Status == domain.StatusPending {
		workflow.SetCurrentDetails(ctx, "PENDING: reserving stock")
	}
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second},
		Summary:             fmt.Sprintf("Record order %s as %s", s.order.ID, s.order.Status),
	})
	for {
		err := workflow.ExecuteLocalActivity(lctx, activities.RecordOrderName, s.rec).Get(lctx, nil)
		if err == nil || ctx.Err() != nil {
			return
		}
		_ = workflow.Sleep(ctx, 10*time.Second)
	}
}

// compensateInLoop is how sagas started before guardsChange compensate: one activity attempt per call,
// retried here with a timer until it succeeds.
func (s *saga) compensateInLoop(ctx workflow.Context, c compensationStep) {
	s.rec.Steps = append(s.rec.Steps, orders.Step{Name: c.name, State: orders.StepCompensating})
	st := &s.rec.Steps[len(s.rec.Steps)-1]
	opts := c.opts
	opts.Summary = c.summary
	actx := workflow.WithActivityOptions(ctx, opts)
	for {
		st.Attempts++
		err := workflow.ExecuteActivity(actx, c.activity, s.order.ID).Get(actx, nil)
		if err == nil {
			st.State, st.LastError = orders.StepCompensated, ""
			return
		}
		st.LastError = failureMessage(err)
		workflow.SetCurrentDetails(ctx, fmt.Sprintf("COMPENSATING: retrying %s after attempt %d failed: %s", c.name, st.Attempts, st.LastError))
		_ = workflow.Sleep(ctx, retryDelay(st.Attempts))
	}
}

func withSummary(ctx workflow.Context, opts workflow.ActivityOptions, summary string) workflow.Context {
	opts.Summary = summary
	return workflow.WithActivityOptions(ctx, opts)
}

// retryDelay backs off exponentially from 200 ms to 30 s.
func retryDelay(attempt int) time.Duration {
	d := 200 * time.Millisecond
	for i := 1; i < attempt && d < 30*time.Second; i++ {
		d *= 2
	}
	return min(d, maxRetryInterval)
}
