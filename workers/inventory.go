package workers

import (
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/order-saga/shop/activities"
)

// Inventory is the inventory service's worker: the stock activities on task queue queue ("inventory"), so
// that only the inventory service touches the inventory database.
func Inventory(c client.Client, queue string, acts *activities.Inventory, opts ...Option) worker.Worker {
	return NewWithOptions(c, queue, opts, func(r worker.Registry) { acts.Register(r) })
}
