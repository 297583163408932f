// Package workers builds the Temporal workers of each service: which workflows and activities run on
// which task queue. cmd/ starts and stops them.
package workers

import (
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
)

// stopTimeout is how long a stopping worker lets running activities finish before it abandons them
// to Temporal's retry (they are idempotent, so either way nothing is lost).
const stopTimeout = 10 * time.Second

// Register adds a service's workflows and activities to a worker.
type Register func(worker.Registry)

// Option changes how New, Orders and Inventory build a worker (WithLogger).
type Option func(*worker.Options)

// New returns a worker on queue with everything the registrations add. It does not start polling.
func New(c client.Client, queue string, regs ...Register) worker.Worker {
	return NewWithOptions(c, queue, nil, regs...)
}

// NewWithOptions is New with options, such as WithLogger.
func NewWithOptions(c client.Client, queue string, opts []Option, regs ...Register) worker.Worker {
	o := worker.Options{WorkerStopTimeout: stopTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	w := worker.New(c, queue, o)
	for _, reg := range regs {
		reg(w)
	}
	return w
}
