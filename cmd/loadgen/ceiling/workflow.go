// Package ceiling measures what the Temporal dev server sustains for a no-op workflow shaped like the
// order saga's happy path, so that the system's figures can be read against the engine's ceiling in the
// same run. Its workers run inside the generator, on task queues of its own.
package ceiling

import (
	"context"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/order-saga/shop/workflows"
)

// Names the probe registers its workflow and activities under.
const (
	WorkflowName = "LoadgenNoopSaga"
	reserveName  = "LoadgenNoopReserve"
	commitName   = "LoadgenNoopCommit"
	decisionName = "awaitDecision"
)

// Shapes of the probe's inventory steps.
const (
	// ShapeDirect is the saga's since its v6: reserve and commit as local activities of the saga's
	// worker (the inventory's API), the whole happy path in one workflow task.
	ShapeDirect = "direct"
	// ShapeInventoryWorker is the saga's before v6: reserve and commit as regular activities on the
	// inventory's task queue, each a dispatch and a workflow task after it.
	ShapeInventoryWorker = "inventory-worker"
)

// Input is a no-op saga's input: the queue its "inventory" activities run on, and their shape.
type Input struct {
	OrderID        string `json:"orderId"`
	InventoryQueue string `json:"inventoryQueue"`
	Shape          string `json:"shape,omitempty"`
}

// The saga's happy path, step for step, without I/O (workflows/saga.go, steps.go, recording.go):
// a version marker; reserve (local, or regular on the inventory queue: Shape); PENDING and RESERVED
// recorded with the authorization (local); commit (as reserve); capture (local); the
// OrderStatus search attribute set to CONFIRMED and CONFIRMED recorded (local); the decision answers
// the update the start came with. The real saga then waits for its fulfilment; this one ends.
func noopSaga(ctx workflow.Context, in Input) (string, error) {
	status := "PENDING"
	if err := workflow.SetUpdateHandler(ctx, decisionName, func(ctx workflow.Context) (string, error) {
		err := workflow.Await(ctx, func() bool { return status == "CONFIRMED" })
		return status, err
	}); err != nil {
		return "", err
	}
	_ = workflow.GetVersion(ctx, "loadgen-noop", workflow.DefaultVersion, 1)
	local := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 5 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 1}})
	inv := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{TaskQueue: in.InventoryQueue,
		StartToCloseTimeout: 30 * time.Second, ScheduleToCloseTimeout: 5 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2, MaximumAttempts: 10}})
	inventoryStep := func(name string) error {
		if in.Shape == ShapeInventoryWorker {
			return workflow.ExecuteActivity(inv, name, in.OrderID).Get(ctx, nil)
		}
		return workflow.ExecuteLocalActivity(local, record, in.OrderID, name).Get(ctx, nil)
	}
	steps := []func() error{
		func() error { return inventoryStep(reserveName) },
		func() error {
			return workflow.ExecuteLocalActivity(local, record, in.OrderID, "RESERVED").Get(ctx, nil)
		},
		func() error { return inventoryStep(commitName) },
		func() error {
			return workflow.ExecuteLocalActivity(local, record, in.OrderID, "CAPTURED").Get(ctx, nil)
		},
		func() error {
			return workflow.UpsertTypedSearchAttributes(ctx, workflows.OrderStatusKey.ValueSet("CONFIRMED"))
		},
		func() error {
			return workflow.ExecuteLocalActivity(local, record, in.OrderID, "CONFIRMED").Get(ctx, nil)
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return status, err
		}
	}
	status = "CONFIRMED"
	err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	return status, err
}

// record stands in for the order service's local activities (RecordOrder, RecordThenAuthorize,
// CapturePayment, and the inventory's steps through its API): no I/O.
func record(context.Context, string, string) error { return nil }

// noop stands in for the inventory's activities (ReserveStock, CommitStock).
func noop(context.Context, string) error { return nil }
