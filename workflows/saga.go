package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

// OrderSaga is the order saga: reserve stock → authorize payment → commit stock → capture payment →
// CONFIRMED → wait for fulfil → COMPLETED. Unknown product or short stock: REJECTED. Declined payment:
// release stock, FAILED. Cancel (signal, update, or cancelling the workflow) before COMPLETED:
// compensations (side by side, see compensate), CANCELLED. A step whose retries are spent parks the
// saga in NEEDS_ATTENTION for an operator (see park).
func OrderSaga(ctx workflow.Context, in OrderInput) (orders.Order, error) {
	s, err := newSaga(in)
	if err != nil {
		return orders.Order{}, temporal.NewNonRetryableApplicationError(err.Error(), activities.ErrTypeInvalidInput, err)
	}
	if err := s.registerHandlers(ctx); err != nil {
		return s.rec, err
	}
	if !s.startsNative(ctx) {
		return s.runLegacy(ctx)
	}
	return s.run(ctx)
}

// saga holds one order's state while its workflow runs.
type saga struct {
	order     domain.Order
	rec       orders.Order // what the status query answers and RecordOrder stores
	token     string
	inventory workflow.ActivityOptions // options of the inventory's activities
	policy    StepPolicy

	// native is true for sagas started since nativeRetriesChange, foldedStart and directStock for
	// those since its foldedStartVersion and directStockVersion (see versions.go).
	native, foldedStart, directStock bool
	// indexed is the OrderStatus search attribute's value (the start sets PENDING).
	indexed domain.OrderStatus
	// unrecorded are transitions not recorded yet, oldest first: the next order-service step records
	// them on its way (PENDING and RESERVED ride with the authorization), saving local activities.
	unrecorded []orders.Order

	cancelRequested  bool
	cancelReason     string
	cancelStep       workflow.CancelFunc // cancels the forward step running, if any
	fulfillRequested bool
	decision         Decision // an operator's, while parked

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
	s := &saga{order: order, token: token, inventory: inventoryActivity, policy: in.Policy.withDefaults(), indexed: domain.StatusPending}
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

// run takes the order to CONFIRMED, then waits for its fulfilment or cancellation.
func (s *saga) run(ctx workflow.Context) (orders.Order, error) {
	workflow.SetCurrentDetails(ctx, "PENDING: reserving stock")
	if s.foldedStart {
		s.stampUnrecorded(ctx)
	} else {
		s.record(ctx, "")
	}

	var reserved activities.ReserveStockResult
	s.reserveStarted = true
	if err := s.runStep(ctx, s.reserveStep(&reserved)); err != nil {
		return s.finishFailedStep(ctx, err)
	}
	if err := s.price(reserved); err != nil { // cannot be paid as submitted: a refusal
		s.rec.ReasonCode = orders.ReasonUnpriceable
		return s.compensate(ctx, domain.StatusRejected, err.Error())
	}
	if err := s.moveToUnrecorded(ctx, domain.StatusReserved); err != nil {
		return s.rec, err
	}
	for _, st := range []forwardStep{s.authorizeStep(), s.commitStep(), s.captureStep()} {
		if s.cancelRequested {
			return s.compensate(ctx, domain.StatusCancelled, s.cancelledReason())
		}
		*st.started = true
		if err := s.runStep(ctx, st); err != nil {
			return s.finishFailedStep(ctx, err)
		}
	}
	if err := s.moveTo(ctx, domain.StatusConfirmed, ""); err != nil {
		return s.rec, err
	}
	return s.awaitFulfilment(ctx)
}

// awaitFulfilment waits, CONFIRMED, for the order to be fulfilled (COMPLETED) or cancelled.
func (s *saga) awaitFulfilment(ctx workflow.Context) (orders.Order, error) {
	workflow.SetCurrentDetails(ctx, "CONFIRMED: waiting for the order to be fulfilled (update or signal \"fulfill\") or cancelled")
	if err := workflow.Await(ctx, func() bool { return s.fulfillRequested || s.cancelRequested }); err != nil {
		return s.finishFailedStep(ctx, err) // the workflow itself was cancelled
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

// step returns the order's step of that name, adding it if new.
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
