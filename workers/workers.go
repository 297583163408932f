// Package workers builds the Temporal workers of each service: which workflows and activities run on
// which task queue. cmd/ starts and stops them.
package workers

import (
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
)

// stopTimeout is how long a stopping worker lets running activities finish before it abandons them
// to Temporal's retry (they are idempotent, so either way nothing is lost).
const stopTimeout = 10 * time.Second

// Register adds a service's workflows and activities to a worker.
type Register func(worker.Registry)

// Option changes how NewWithOptions, Orders and Inventory build a worker (WithLogger).
type Option func(*worker.Options)

// NewWithOptions returns a worker on queue with everything the registrations add, changed by opts
// (such as WithLogger). Every activity failure carries its attempt (attemptInterceptor). It does not
// start polling.
func NewWithOptions(c client.Client, queue string, opts []Option, regs ...Register) worker.Worker {
	fatal := make(chan error, 1)
	o := worker.Options{
		WorkerStopTimeout: stopTimeout,
		// A fatal error (the namespace gone, the server refusing this client) stops the worker's
		// polling for good while the process would otherwise look healthy: report it, so the process
		// can exit and its supervisor restart it.
		OnFatalError: func(err error) {
			select {
			case fatal <- err:
			default: // the SDK calls this once; never block it
			}
		},
		Interceptors: []interceptor.WorkerInterceptor{NewAttemptInterceptor()},
	}
	for _, opt := range opts {
		opt(&o)
	}
	w := &Worker{Worker: worker.New(c, queue, o), fatal: fatal}
	for _, reg := range regs {
		reg(w)
	}
	for _, i := range o.Interceptors {
		if k, ok := i.(interface{ knows(activities []string) }); ok {
			k.knows(w.activities) // the metrics interceptor's series of each activity, from the start
		}
	}
	return w
}

// Worker is a Temporal worker that reports its fatal error on Fatal.
type Worker struct {
	worker.Worker
	fatal chan error
	// activities are the names registered with RegisterActivityWithOptions.
	activities []string
}

// RegisterActivityWithOptions registers an activity and notes its name.
func (w *Worker) RegisterActivityWithOptions(a any, options activity.RegisterOptions) {
	w.Worker.RegisterActivityWithOptions(a, options)
	if options.Name != "" {
		w.activities = append(w.activities, options.Name)
	}
}

// Fatal delivers the error that stopped the worker for good, if one does.
func (w *Worker) Fatal() <-chan error { return w.fatal }

// Fatal returns the channel on which w reports a fatal error, or nil (which never delivers) for a
// worker that does not report one.
func Fatal(w worker.Worker) <-chan error {
	if f, ok := w.(interface{ Fatal() <-chan error }); ok {
		return f.Fatal()
	}
	return nil
}
