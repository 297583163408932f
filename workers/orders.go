package workers

import (
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/workflows"
)

// Orders is the order service's worker on task queue "orders": the saga itself, the order
// bookkeeping and the payment activities (each run as a local activity first, see the workflows
// package), the authorization with the order's record folded in, and the saga's first attempts at
// reserve and commit, whose stock is the inventory service's HTTP API.
func Orders(c client.Client, queue string, orders *activities.Orders, pay *activities.Payments, stock *activities.Inventory, opts ...Option) worker.Worker {
	return NewWithOptions(c, queue, opts, func(r worker.Registry) {
		workflows.Register(r)
		orders.Register(r)
		pay.Register(r)
		(&activities.OrderSteps{Orders: orders, Payments: pay}).Register(r)
		stock.RegisterViaAPI(r)
	})
}
