package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

// Names by which the outside world reaches the order saga.
const (
	OrderSagaName = "OrderSaga"
	// QueryStatus returns the order with its saga steps (orders.Order).
	QueryStatus = "status"
	// Cancel and Fulfill exist as signals (fire and forget, also from the Temporal UI) and as updates
	// of the same name (validated, answered once the order has moved: the HTTP API uses these).
	Cancel  = "cancel"
	Fulfill = "fulfill"
	// OperatorDecision tells a parked saga (NEEDS_ATTENTION) what to do: {"action":"retry"} runs the
	// failed step again with a fresh budget, {"action":"compensate"} compensates to CANCELLED. It is
	// an update (validated: only while parked) and a signal of the same name (for the Temporal UI).
	OperatorDecision = "operatorDecision"
	// AwaitDecision is an update that answers once the saga has decided: CONFIRMED, REJECTED,
	// FAILED, CANCELLED, NEEDS_ATTENTION or later. The HTTP API sends it with the start.
	AwaitDecision = "awaitDecision"
)

// Search attributes the saga keeps current on every transition (registered by the local stack).
var (
	OrderStatusKey = temporal.NewSearchAttributeKeyKeyword("OrderStatus")
	CustomerIDKey  = temporal.NewSearchAttributeKeyKeyword("CustomerId")
)

// Decided reports whether an order in status s has its outcome (success, refusal, or an operator's
// attention): what a client submitting an order waits for.
func Decided(s domain.OrderStatus) bool {
	switch s {
	case domain.StatusPending, domain.StatusReserved, domain.StatusCompensating:
		return false
	}
	return true
}

// OrderWorkflowID is the workflow id of an order's saga: readable in the Temporal UI, and one saga
// per order.
func OrderWorkflowID(orderID string) string { return orderWorkflowPrefix + orderID }

// OrderIDFromWorkflowID is the inverse of OrderWorkflowID; ok is false for any other workflow id.
func OrderIDFromWorkflowID(workflowID string) (orderID string, ok bool) {
	orderID, ok = strings.CutPrefix(workflowID, orderWorkflowPrefix)
	if !ok || orderID == "" {
		return "", false
	}
	return orderID, true
}

const orderWorkflowPrefix = "order-"

// Saga steps, as they appear in the status query and the API.
const (
	StepReserveStock     = "reserve-stock"
	StepAuthorizePayment = "authorize-payment"
	StepCommitStock      = "commit-stock"
	StepCapturePayment   = "capture-payment"
	StepRefundPayment    = "refund-payment"
	StepVoidPayment      = "void-payment"
	StepReleaseStock     = "release-stock"
)

// errCancelRequested ends a retrying step when the order is cancelled meanwhile; errCompensateDecided
// ends a parked step that an operator (or the parking deadline) chose to compensate.
var (
	errCancelRequested   = errors.New("cancel requested while the step was retrying")
	errCompensateDecided = errors.New("compensation decided while parked")
)

// DefaultPaymentToken is used when an order comes without one, as the original did.
const DefaultPaymentToken = "tok_visa"

// OrderInput starts a saga. CreatedAt is set by whoever accepts the order, so the workflow does not
// read a clock of its own.
type OrderInput struct {
	OrderID      string                 `json:"orderId"`
	CustomerID   string                 `json:"customerId"`
	Items        []activities.StockLine `json:"items"`
	PaymentToken string                 `json:"paymentToken"`
	CreatedAt    time.Time              `json:"createdAt"`
	// InventoryTaskQueue is where the inventory's worker listens; empty means TaskQueueInventory.
	InventoryTaskQueue string     `json:"inventoryTaskQueue,omitempty"`
	Policy             StepPolicy `json:"policy,omitempty"`
}

// Operator actions on a parked saga.
const (
	ActionRetry      = "retry"
	ActionCompensate = "compensate"
)

// Decision is the payload of OperatorDecision.
type Decision struct {
	Action string `json:"action"`
	// Operator names who decided, for the record.
	Operator string `json:"operator,omitempty"`
}

// who names the decider for the order's reason: a signal from the Temporal UI may not say.
func (d Decision) who() string {
	if d.Operator == "" {
		return "an operator"
	}
	return "operator " + d.Operator
}

// StepPolicy bounds the forward steps' retries. Zero fields take the defaults.
type StepPolicy struct {
	// MaxAttempts per forward step before the saga parks in NEEDS_ATTENTION (default 10).
	MaxAttempts int `json:"maxAttempts,omitempty"`
	// ParkDeadline: a parked saga with no operator decision by then compensates by itself (72h).
	ParkDeadline time.Duration `json:"parkDeadline,omitempty"`
}

// Defaults of StepPolicy.
const (
	DefaultMaxAttempts  = 10
	DefaultParkDeadline = 72 * time.Hour
)

func (p StepPolicy) withDefaults() StepPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.ParkDeadline <= 0 {
		p.ParkDeadline = DefaultParkDeadline
	}
	return p
}

// parkingVersion: from version 1 on, a forward step that runs out of retries parks the saga instead
// of retrying forever. Sagas started before keep retrying (workflow.GetVersion).
const (
	parkingChange  = "park-on-exhausted-retries"
	parkingVersion = 1
)

// CancelRequest is the payload of the cancel signal and update.
type CancelRequest struct {
	Reason string `json:"reason"`
}

// OrderSaga is the order saga: reserve stock → authorize payment → commit stock → capture payment →
// CONFIRMED → wait for fulfil → COMPLETED. Unknown product or short stock: REJECTED. Declined payment:
// release stock, FAILED. Cancel (signal, update, or cancelling the workflow) before COMPLETED:
// compensations (side by side, see compensate), CANCELLED.
func OrderSaga(ctx workflow.Context, in OrderInput) (orders.Order, error) {
	s, err := newSaga(in)
	if err != nil {
		return orders.Order{}, temporal.NewNonRetryableApplicationError(err.Error(), activities.ErrTypeInvalidInput, err)
	}
	if err := s.handle(ctx); err != nil {
		return s.rec, err
	}
	return s.run(ctx)
}

// saga holds one order's state while its workflow runs.
type saga struct {
	order     domain.Order
	rec       orders.Order
	token     string
	inventory workflow.ActivityOptions // options of the inventory's activities

	cancelRequested  bool
	cancelReason     string
	fulfillRequested bool
	decision         Decision // an operator's, while parked
	policy           StepPolicy

	// Which forward steps were started: compensation must undo a step whose outcome is unknown too
	// (every compensation is idempotent and harmless where there is nothing to undo).
	reserveStarted, authorizeStarted, commitStarted, captureStarted bool
}

func newSaga(in OrderInput) (*saga, error) {
	lines := make([]domain.OrderLine, len(in.Items))
	for i, it := range in.Items {
		lines[i] = domain.OrderLine{ProductCode: it.ProductCode, Quantity: it.Quantity}
	}
	order, err := domain.NewOrder(in.OrderID, in.CustomerID, lines)
	if err != nil {
		return nil, err
	}
	token := in.PaymentToken
	if token == "" {
		token = DefaultPaymentToken
	}
	s := &saga{order: order, token: token, inventory: inventoryActivity, policy: in.Policy.withDefaults()}
	if in.InventoryTaskQueue != "" {
		s.inventory.TaskQueue = in.InventoryTaskQueue
	}
	s.rec = orders.Order{OrderID: in.OrderID, CustomerID: in.CustomerID, CreatedAt: in.CreatedAt}
	for _, l := range lines {
		s.rec.Lines = append(s.rec.Lines, orders.Line{ProductCode: l.ProductCode, Quantity: l.Quantity})
	}
	for _, name := range []string{StepReserveStock, StepAuthorizePayment, StepCommitStock, StepCapturePayment} {
		s.rec.Steps = append(s.rec.Steps, orders.Step{Name: name, State: orders.StepPending})
	}
	return s, nil
}

// handle registers the query, signals and updates.
func (s *saga) handle(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (orders.Order, error) {
		return s.rec, nil
	}); err != nil {
		return err
	}
	cancel := func(req CancelRequest) {
		if !s.cancelRequested {
			s.cancelRequested, s.cancelReason = true, req.Reason
		}
	}
	workflow.Go(ctx, func(ctx workflow.Context) {
		ch := workflow.GetSignalChannel(ctx, Cancel)
		for {
			var req CancelRequest
			ch.Receive(ctx, &req)
			cancel(req)
		}
	})
	workflow.Go(ctx, func(ctx workflow.Context) {
		ch := workflow.GetSignalChannel(ctx, Fulfill)
		for {
			ch.Receive(ctx, nil)
			// Only a CONFIRMED order is fulfilled; an earlier signal is dropped, not remembered
			// (the update of the same name is refused then). Sagas started before the change
			// remembered it.
			if s.order.Status == domain.StatusConfirmed || !guarded(ctx) {
				s.fulfillRequested = true
			} else {
				workflow.GetLogger(ctx).Info("fulfil signal ignored: the order is not CONFIRMED", "status", s.order.Status)
			}
		}
	})
	if err := workflow.SetUpdateHandlerWithOptions(ctx, Cancel,
		func(ctx workflow.Context, req CancelRequest) (orders.Order, error) {
			cancel(req)
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
		err := workflow.Await(ctx, func() bool { return Decided(s.order.Status) })
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

func (s *saga) run(ctx workflow.Context) (orders.Order, error) {
	s.record(ctx, "")

	var reserved activities.ReserveStockResult
	s.reserveStarted = true
	err := s.forward(ctx, StepReserveStock, func(ctx workflow.Context) error {
		ctx = withSummary(ctx, s.inventory, fmt.Sprintf("Reserve %d product(s) for order %s", len(s.order.Lines), s.order.ID))
		return workflow.ExecuteActivity(ctx, activities.ReserveStockName,
			activities.ReserveStockInput{OrderID: s.order.ID, Lines: s.stockLines()}).Get(ctx, &reserved)
	})
	if err != nil {
		return s.stop(ctx, err)
	}
	if err := s.price(reserved); err != nil {
		if guarded(ctx) { // the order cannot be paid as submitted: a refusal, not a payment failure
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
		if err := s.forward(ctx, st.name, st.call); err != nil {
			return s.stop(ctx, err)
		}
	}
	if err := s.moveTo(ctx, domain.StatusConfirmed, ""); err != nil {
		return s.rec, err
	}

	workflow.SetCurrentDetails(ctx, "CONFIRMED: waiting for the order to be fulfilled (update or signal \"fulfill\") or cancelled")
	if err := workflow.Await(ctx, func() bool { return s.fulfillRequested || s.cancelRequested }); err != nil {
		return s.stop(ctx, err) // the workflow itself was cancelled
	}
	if s.cancelRequested {
		return s.compensate(ctx, domain.StatusCancelled, s.cancelledReason())
	}
	if err := s.moveTo(ctx, domain.StatusCompleted, ""); err != nil {
		return s.rec, err
	}
	workflow.SetCurrentDetails(ctx, "COMPLETED")
	return s.rec, nil
}

// stop ends the saga after a forward step failed for good: a rejection needs no compensation (the
// inventory rolled its own reservation back); a decline or any other refusal compensates to FAILED;
// cancelling the workflow compensates to CANCELLED and ends the workflow as cancelled.
func (s *saga) stop(ctx workflow.Context, err error) (orders.Order, error) {
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

// forward runs one forward step. The activity itself is tried once per call (MaximumAttempts 1);
// the retries happen here, so that the status query shows each step's attempts and last error.
// A non-retryable failure or a cancellation ends the step at once.
func (s *saga) forward(ctx workflow.Context, name string, call func(ctx workflow.Context) error) error {
	st := s.step(name)
	st.State = orders.StepRunning
	budget := s.policy.MaxAttempts // attempts left before parking; an operator's retry renews it
	for {
		st.Attempts++
		budget--
		err := call(ctx)
		if err == nil {
			st.State, st.LastError = orders.StepCompleted, ""
			return nil
		}
		st.LastError = errorMessage(err)
		var appErr *temporal.ApplicationError
		if (errors.As(err, &appErr) && appErr.NonRetryable()) || temporal.IsCanceledError(err) || ctx.Err() != nil {
			st.State = orders.StepFailed
			return err
		}
		if budget <= 0 && workflow.GetVersion(ctx, parkingChange, workflow.DefaultVersion, parkingVersion) >= parkingVersion {
			action, err := s.park(ctx, st)
			if err != nil {
				st.State = orders.StepFailed
				return err
			}
			if action == ActionCompensate {
				st.State = orders.StepFailed
				return errCompensateDecided
			}
			budget = s.policy.MaxAttempts
			st.State = orders.StepRunning
			continue
		}
		workflow.SetCurrentDetails(ctx, fmt.Sprintf("%s: retrying %s after attempt %d failed: %s", s.order.Status, name, st.Attempts, st.LastError))
		// Wait before the next attempt, but a cancel request ends the wait (and the step) at once:
		// an order can be cancelled while a step keeps failing.
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

// park puts the saga in NEEDS_ATTENTION after st ran out of retries and waits for an operator's
// decision, a cancel, or the deadline (which compensates). It returns ActionRetry (the status is
// back where it was) or ActionCompensate (the reason says who decided).
func (s *saga) park(ctx workflow.Context, st *orders.Step) (string, error) {
	resume := s.order.Status
	why := fmt.Sprintf("%s failed %d times; last error: %s", st.Name, st.Attempts, st.LastError)
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

func validAction(a string) bool { return a == ActionRetry || a == ActionCompensate }

// moveTo changes the order's status and records the transition.
func (s *saga) moveTo(ctx workflow.Context, next domain.OrderStatus, reason string) error {
	if err := s.order.MoveTo(next); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), "InvalidTransition", err)
	}
	s.record(ctx, reason)
	return nil
}

// record stores the current status (local activity RecordOrder: database and event) and updates the
// search attributes. It retries until stored: a transition must not be lost.
func (s *saga) record(ctx workflow.Context, reason string) {
	s.rec.Seq++
	s.rec.Status = s.order.Status
	s.rec.Reason = reason
	s.rec.UpdatedAt = workflow.Now(ctx).UTC().Truncate(time.Millisecond)
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

func (s *saga) step(name string) *orders.Step {
	for i := range s.rec.Steps {
		if s.rec.Steps[i].Name == name {
			return &s.rec.Steps[i]
		}
	}
	s.rec.Steps = append(s.rec.Steps, orders.Step{Name: name, State: orders.StepPending})
	return &s.rec.Steps[len(s.rec.Steps)-1]
}

func (s *saga) stockLines() []activities.StockLine {
	out := make([]activities.StockLine, len(s.order.Lines))
	for i, l := range s.order.Lines {
		out[i] = activities.StockLine{ProductCode: l.ProductCode, Quantity: l.Quantity}
	}
	return out
}

// price takes each line's unit price from the reservation and computes the exact total.
func (s *saga) price(r activities.ReserveStockResult) error {
	prices := make(map[string]domain.Money, len(r.Lines))
	for _, l := range r.Lines {
		prices[l.ProductCode] = domain.Money{Minor: l.UnitPriceMinor, Currency: l.Currency}
	}
	if err := s.order.Price(prices); err != nil {
		return err
	}
	total, err := s.order.Total()
	if err != nil {
		return err
	}
	for i, l := range s.order.Lines {
		s.rec.Lines[i].UnitPriceMinor, s.rec.Lines[i].Currency = l.UnitPrice.Minor, l.UnitPrice.Currency
	}
	s.rec.TotalMinor, s.rec.Currency = total.Minor, total.Currency
	return nil
}

func (s *saga) totalString() string {
	return domain.Money{Minor: s.rec.TotalMinor, Currency: s.rec.Currency}.String()
}

func (s *saga) cancelledReason() string {
	if s.cancelReason != "" {
		return "cancelled: " + s.cancelReason
	}
	return "cancelled on request"
}

// Activity options per kind of step. Each forward attempt is a single try (the saga retries, see
// forward; compensations take CompensationRetry instead), bounded in time so that a hung call is
// retried rather than waited for. WaitForCancellation makes a cancelled workflow wait for a running
// step to end before compensating, so a compensation never overtakes the step it undoes.
var (
	inventoryActivity = workflow.ActivityOptions{
		TaskQueue:           TaskQueueInventory,
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
		WaitForCancellation: true,
	}
	paymentActivity = workflow.ActivityOptions{ // on the saga's own task queue
		StartToCloseTimeout: 15 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
		WaitForCancellation: true,
	}
)

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
	return min(d, 30*time.Second)
}

// errorMessage is the innermost message of an activity failure, without Temporal's wrapping.
func errorMessage(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Message()
	}
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return "timed out: " + timeout.TimeoutType().String()
	}
	return err.Error()
}
