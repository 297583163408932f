package temporal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	sdktemporal "go.temporal.io/sdk/temporal"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/workflows"
)

// Sagas starts and steers order sagas: orders.Sagas over Temporal. It maps the use cases' commands to
// the saga's contract (workflows.OrderInput, Decision, CancelRequest, its update and query names).
type Sagas struct {
	Client client.Client
	// TaskQueue is the order service's task queue, InventoryTaskQueue the inventory's.
	TaskQueue, InventoryTaskQueue string
	// Policy bounds the retries of new sagas' steps.
	Policy workflows.StepPolicy
}

// Start implements orders.Sagas: it starts the saga of an order, or joins the one already running
// under the same workflow id (so a repeated submission starts nothing), and waits up to wait for its
// decision. decided is false when the wait ran out first; the saga goes on regardless.
func (s Sagas) Start(ctx context.Context, p orders.Placement, wait time.Duration) (rec orders.Order, decided bool, err error) {
	in := s.input(p)
	start := s.Client.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       workflows.OrderWorkflowID(in.OrderID),
		TaskQueue:                s.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: sdktemporal.NewSearchAttributes(
			workflows.OrderStatusKey.ValueSet(string(domain.StatusPending)),
			workflows.CustomerIDKey.ValueSet(in.CustomerID)),
		// What an operator reads first in the Temporal UI (User Metadata → Summary).
		StaticSummary: orderSummary(in),
	}, workflows.OrderSagaName, in)
	handle, err := s.Client.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateName:   workflows.AwaitDecision,
			WaitForStage: client.WorkflowUpdateStageAccepted,
		},
	})
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &already) {
		// The order's saga has closed already (the reuse policy keeps it unique): read its outcome.
		rec, err := s.Status(ctx, in.OrderID)
		return rec, err == nil, err
	}
	if err != nil {
		return rec, false, fmt.Errorf("start saga of %s: %w", in.OrderID, err)
	}
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	err = handle.Get(wctx, &rec)
	if err != nil && wctx.Err() != nil && ctx.Err() == nil {
		return rec, false, nil
	}
	if err != nil {
		return rec, false, fmt.Errorf("await decision of %s: %w", in.OrderID, err)
	}
	return rec, true, nil
}

// input is the saga's input for a placement.
func (s Sagas) input(p orders.Placement) workflows.OrderInput {
	in := workflows.OrderInput{OrderID: p.OrderID, CustomerID: p.CustomerID, PaymentToken: p.PaymentToken,
		CreatedAt: p.CreatedAt, InventoryTaskQueue: s.InventoryTaskQueue, Policy: s.Policy}
	// The items are set field by field: their type is the saga's business, this adapter names only
	// the fields of the saga's contract.
	in.Items = slices.Grow(in.Items, len(p.Items))[:len(p.Items)]
	for i, it := range p.Items {
		in.Items[i].ProductCode, in.Items[i].Quantity = it.ProductCode, it.Quantity
	}
	return in
}

// Cancel asks an order's saga to cancel and waits until it has compensated.
func (s Sagas) Cancel(ctx context.Context, orderID, reason string) (orders.Order, error) {
	return s.update(ctx, orderID, workflows.Cancel, workflows.CancelRequest{Reason: reason})
}

// Fulfill marks an order shipped: CONFIRMED → COMPLETED.
func (s Sagas) Fulfill(ctx context.Context, orderID string) (orders.Order, error) {
	return s.update(ctx, orderID, workflows.Fulfill)
}

func (s Sagas) update(ctx context.Context, orderID, name string, args ...any) (orders.Order, error) {
	var rec orders.Order
	handle, err := s.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.OrderWorkflowID(orderID),
		UpdateName:   name,
		Args:         args,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(ctx, &rec)
	}
	return rec, s.sagaError(ctx, orderID, name, err)
}

// Decide sends an operator's decision to a parked saga and waits until it has taken effect.
func (s Sagas) Decide(ctx context.Context, orderID string, d orders.Decision) (orders.Order, error) {
	actions := map[orders.Action]string{orders.ActionRetry: workflows.ActionRetry, orders.ActionCompensate: workflows.ActionCompensate}
	action, ok := actions[d.Action]
	if !ok {
		return orders.Order{}, fmt.Errorf("order %s: decide: unknown action %q", orderID, d.Action)
	}
	return s.update(ctx, orderID, workflows.OperatorDecision, workflows.Decision{Action: action, Operator: d.Operator})
}

// Status asks a running (or closed) saga for its order.
func (s Sagas) Status(ctx context.Context, orderID string) (orders.Order, error) {
	var rec orders.Order
	v, err := s.Client.QueryWorkflow(ctx, workflows.OrderWorkflowID(orderID), "", workflows.QueryStatus)
	if err == nil {
		err = v.Get(&rec)
	}
	return rec, s.sagaError(ctx, orderID, workflows.QueryStatus, err)
}

// sagaError translates Temporal's answers into domain errors: no such saga is ErrNotFound; a
// closed saga or a refused update is ErrConflict. Temporal answers NotFound both for a saga that never
// was and for an update that met a saga closing meanwhile, so a NotFound is checked against the
// saga's execution rather than told apart by its message.
func (s Sagas) sagaError(ctx context.Context, orderID, op string, err error) error {
	if err == nil {
		return nil
	}
	var (
		notFound *serviceerror.NotFound
		appErr   *sdktemporal.ApplicationError
	)
	switch {
	case errors.As(err, &notFound):
		if _, derr := s.Client.DescribeWorkflowExecution(ctx, workflows.OrderWorkflowID(orderID), ""); derr == nil {
			return fmt.Errorf("order %s: %s: the order's saga has ended: %w", orderID, op, domain.ErrConflict)
		}
		return fmt.Errorf("order %s: %w", orderID, domain.ErrNotFound)
	case errors.As(err, &appErr):
		return fmt.Errorf("order %s: %s refused: %s: %w", orderID, op, appErr.Message(), domain.ErrConflict)
	}
	return fmt.Errorf("order %s: %s: %w", orderID, op, err)
}

// orderSummary is one line saying what the order is: its customer and lines.
func orderSummary(in workflows.OrderInput) string {
	lines := make([]string, len(in.Items))
	for i, it := range in.Items {
		lines[i] = fmt.Sprintf("%d × %s", it.Quantity, it.ProductCode)
	}
	return fmt.Sprintf("Order %s of customer %s: %s", in.OrderID, in.CustomerID, strings.Join(lines, ", "))
}

var _ orders.Sagas = Sagas{}
