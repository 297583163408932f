// Package workflows holds the order saga and the names other packages use to reach it: task queues,
// workflow ids, signals, queries and updates. Everything here is deterministic workflow code.
package workflows

import "go.temporal.io/sdk/workflow"

// Task queues. Each service's worker polls its own, so that each touches only its own database: the
// order service runs the saga and its own activities on TaskQueueOrders, the inventory service runs
// the stock activities on TaskQueueInventory.
const (
	TaskQueueOrders    = "orders"
	TaskQueueInventory = "inventory"
)

// WorkflowRegistry is the part of a worker (or of the SDK's test environment) that takes workflows.
type WorkflowRegistry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
}

// Register adds the workflows to a worker under their names.
func Register(r WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(OrderSaga, workflow.RegisterOptions{Name: OrderSagaName})
}
