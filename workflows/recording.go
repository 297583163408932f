package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

// moveTo changes the order's status and records the transition.
func (s *saga) moveTo(ctx workflow.Context, next domain.OrderStatus, reason string) error {
	if err := s.order.MoveTo(next); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), "InvalidTransition", err)
	}
	s.record(ctx, reason)
	return nil
}

// moveToUnrecorded changes the order's status and leaves its record to the next order-service step,
// which stores it on its way (RESERVED rides with the authorization): the order service's own
// bookkeeping folded into a neighbouring step costs no history of its own. Whatever records next
// stores it first if that step did not.
func (s *saga) moveToUnrecorded(ctx workflow.Context, next domain.OrderStatus) error {
	if err := s.order.MoveTo(next); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), "InvalidTransition", err)
	}
	s.index(ctx)
	s.stampUnrecorded(ctx)
	return nil
}

// stampUnrecorded stamps the order's current status (stamp) and leaves it to the next record.
func (s *saga) stampUnrecorded(ctx workflow.Context) {
	s.stamp(ctx, "")
	rec := s.rec
	rec.Steps = append([]orders.Step(nil), s.rec.Steps...)
	s.unrecorded = append(s.unrecorded, rec)
}

// record stores the current status (RecordOrder: database and event) and keeps the search attribute
// current. It returns once stored: a transition must not be lost.
func (s *saga) record(ctx workflow.Context, reason string) {
	if !s.native {
		s.recordInLoop(ctx, reason)
		return
	}
	// Stamped first, so that what the saga answers while the earlier transitions are stored (the
	// decision a client awaits) already says the new status. Stamping issues no command: the commands
	// keep their order (replay).
	s.stamp(ctx, reason)
	for _, rec := range s.unrecorded { // transitions no step recorded on its way go first
		s.store(ctx, rec)
	}
	s.unrecorded = nil
	s.index(ctx)
	s.store(ctx, s.rec)
}

// stamp makes the order's record say its current status, with the next sequence number.
func (s *saga) stamp(ctx workflow.Context, reason string) {
	s.rec.Seq++
	s.rec.Status = s.order.Status
	s.rec.Reason = reason
	s.rec.UpdatedAt = workflow.Now(ctx).UTC().Truncate(time.Millisecond)
}

// indexed reports whether operators look for orders in status st through the OrderStatus search
// attribute: those parked, CONFIRMED ones, and finished ones. The start sets PENDING; the passing
// RESERVED and COMPENSATING are not worth an event each.
func indexed(st domain.OrderStatus) bool {
	return st == domain.StatusNeedsAttention || st == domain.StatusConfirmed || st.Terminal()
}

// index writes the OrderStatus search attribute when the order enters an indexed status or leaves
// one (so that no filter finds it where it no longer is).
func (s *saga) index(ctx workflow.Context) {
	st := s.order.Status
	if st == s.indexed || (!indexed(st) && !indexed(s.indexed)) {
		return
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, OrderStatusKey.ValueSet(string(st))); err != nil {
		workflow.GetLogger(ctx).Warn("upsert OrderStatus", "status", st, "error", err)
		return
	}
	s.indexed = st
}

// store runs RecordOrder as one local attempt, then, if that failed, as a regular activity on the
// saga's task queue that Temporal retries without limit (see runOrderService for why).
func (s *saga) store(ctx workflow.Context, rec orders.Order) {
	summary := fmt.Sprintf("Record order %s as %s", rec.OrderID, rec.Status)
	local := orderServiceAttempt
	local.Summary = summary
	err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, local), activities.RecordOrderName, rec).Get(ctx, nil)
	if err == nil || ctx.Err() != nil {
		return
	}
	opts := workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second, RetryPolicy: &recordRetry, Summary: summary + " (after a failed local attempt)"}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), activities.RecordOrderName, rec).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("the order's transition was not recorded", "seq", rec.Seq, "status", rec.Status, "error", err)
	}
}
