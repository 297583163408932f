package workflows

import (
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/domain"
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
	// AwaitDecision is an update that answers once the order's outcome is known (see OutcomeKnown).
	// The HTTP API sends it with the start.
	AwaitDecision = "awaitDecision"
)

// Search attributes of the saga. The start sets both; the saga changes OrderStatus only where an
// operator filters on it (see indexed).
var (
	OrderStatusKey = temporal.NewSearchAttributeKeyKeyword("OrderStatus")
	CustomerIDKey  = temporal.NewSearchAttributeKeyKeyword("CustomerId")
)

// OutcomeKnown reports whether an order in status s has its outcome (success, refusal, or an
// operator's attention): what a client submitting an order waits for.
func OutcomeKnown(s domain.OrderStatus) bool {
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

// ActivitySteps names the step each of the saga's activities runs, for whoever reads a saga's
// pending activities (their attempts and last failure: see internal/temporal).
var ActivitySteps = map[string]string{
	activities.ReserveStockName:        StepReserveStock,
	activities.AuthorizePaymentName:    StepAuthorizePayment,
	activities.RecordThenAuthorizeName: StepAuthorizePayment,
	activities.CommitStockName:         StepCommitStock,
	activities.CapturePaymentName:      StepCapturePayment,
	activities.RefundPaymentName:       StepRefundPayment,
	activities.VoidPaymentName:         StepVoidPayment,
	activities.ReleaseStockName:        StepReleaseStock,
}

// IsCompensation reports whether step undoes another one.
func IsCompensation(step string) bool {
	return step == StepRefundPayment || step == StepVoidPayment || step == StepReleaseStock
}

// FailureDetails travel with every activity failure (the workers' activity interceptor adds them):
// which attempt failed, so the saga can say how many attempts a step took without counting them.
type FailureDetails struct {
	Attempt int32 `json:"attempt"`
}

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

func validAction(a string) bool { return a == ActionRetry || a == ActionCompensate }

// CancelRequest is the payload of the cancel signal and update.
type CancelRequest struct {
	Reason string `json:"reason"`
}
