package ceiling

import (
	"context"
	"fmt"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/order-saga/shop/workflows"
)

// Probe starts no-op sagas on the dev server and runs their workers: one for the saga's queue (the
// order service's part: the workflow and its local activities), one for the inventory's queue (the
// regular activities), as the system's services do.
type Probe struct {
	c                     client.Client
	queue, inventoryQueue string
	workers               []worker.Worker
	run, shape            string
}

// Start registers and starts the probe's workers on task queues named after run; shape is
// ShapeDirect or ShapeInventoryWorker.
func Start(c client.Client, run, shape string) (*Probe, error) {
	if shape != ShapeDirect && shape != ShapeInventoryWorker {
		return nil, fmt.Errorf("ceiling probe: unknown shape %q (%s or %s)", shape, ShapeDirect, ShapeInventoryWorker)
	}
	p := &Probe{c: c, queue: "loadgen-ceiling-" + run, inventoryQueue: "loadgen-ceiling-inventory-" + run, run: run, shape: shape}
	sagas := worker.New(c, p.queue, worker.Options{})
	sagas.RegisterWorkflowWithOptions(noopSaga, workflow.RegisterOptions{Name: WorkflowName})
	inv := worker.New(c, p.inventoryQueue, worker.Options{})
	inv.RegisterActivityWithOptions(noop, activity.RegisterOptions{Name: reserveName})
	inv.RegisterActivityWithOptions(noop, activity.RegisterOptions{Name: commitName})
	for _, w := range []worker.Worker{sagas, inv} {
		if err := w.Start(); err != nil {
			p.Stop()
			return nil, fmt.Errorf("start ceiling worker: %w", err)
		}
		p.workers = append(p.workers, w)
	}
	return p, nil
}

// Stop stops the probe's workers.
func (p *Probe) Stop() {
	for _, w := range p.workers {
		w.Stop()
	}
}

// Place starts the no-op saga numbered seq as the order service starts a saga (UpdateWithStart, the
// update accepted with the start) and waits for its decision, returning it.
func (p *Probe) Place(ctx context.Context, seq int) (string, error) {
	id := fmt.Sprintf("loadgen-ceiling-%s-%d", p.run, seq)
	start := p.c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                p.queue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.OrderStatusKey.ValueSet("PENDING"), workflows.CustomerIDKey.ValueSet("loadgen")),
		StaticSummary: "loadgen ceiling probe: a no-op saga",
	}, WorkflowName, Input{OrderID: id, InventoryQueue: p.inventoryQueue, Shape: p.shape})
	handle, err := p.c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions:          client.UpdateWorkflowOptions{UpdateName: decisionName, WaitForStage: client.WorkflowUpdateStageAccepted},
	})
	if err != nil {
		return "", fmt.Errorf("start %s: %w", id, err)
	}
	var status string
	if err := handle.Get(ctx, &status); err != nil {
		return "", fmt.Errorf("await decision of %s: %w", id, err)
	}
	return status, nil
}
