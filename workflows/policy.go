package workflows

import (
	"math"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// StepPolicy bounds the forward steps' retries. Zero fields take the defaults.
type StepPolicy struct {
	// MaxAttempts per forward step before the saga parks in NEEDS_ATTENTION (default 10).
	MaxAttempts int `json:"maxAttempts,omitempty"`
	// StepTimeout bounds one run of a forward step, all its attempts and the waits between them
	// (the activity's ScheduleToClose; default 5 minutes): a step whose worker is away parks after
	// it instead of leaving the order PENDING for ever. It outlasts the outages the fault suite
	// makes (the broker away 50 s, the payment sandbox 8 s), so those do not park an order.
	StepTimeout time.Duration `json:"stepTimeout,omitempty"`
	// InitialInterval is the wait before a step's second attempt; each wait doubles up to 30 s
	// (default 200 ms). Tests shorten it.
	InitialInterval time.Duration `json:"initialInterval,omitempty"`
	// ParkDeadline: a parked saga with no operator decision by then compensates by itself (72h).
	ParkDeadline time.Duration `json:"parkDeadline,omitempty"`
}

// Defaults of StepPolicy.
const (
	DefaultMaxAttempts     = 10
	DefaultStepTimeout     = 5 * time.Minute
	DefaultInitialInterval = 200 * time.Millisecond
	DefaultParkDeadline    = 72 * time.Hour
	maxRetryInterval       = 30 * time.Second
)

func (p StepPolicy) withDefaults() StepPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.StepTimeout <= 0 {
		p.StepTimeout = DefaultStepTimeout
	}
	if p.InitialInterval <= 0 {
		p.InitialInterval = DefaultInitialInterval
	}
	if p.ParkDeadline <= 0 {
		p.ParkDeadline = DefaultParkDeadline
	}
	return p
}

// retryPolicy is what Temporal retries a forward step's activity with. Its attempts and their
// failures stay out of the history: the UI shows them on the pending activity.
func (p StepPolicy) retryPolicy() *temporal.RetryPolicy {
	return &temporal.RetryPolicy{
		InitialInterval:    p.InitialInterval,
		BackoffCoefficient: 2,
		MaximumInterval:    maxRetryInterval,
		MaximumAttempts:    int32(p.MaxAttempts),
	}
}

// CompensationRetry is the retry policy of every compensation: attempts without limit in effect (a
// compensation must finish), backing off to one attempt every 5 minutes. Temporal keeps the attempts
// and the last failure in the pending activity's info, not in the history. MaximumAttempts is the
// largest there is (20,000 years at the cap) rather than 0: the server reads 0 as unlimited, but the
// SDK's test environment caps 0 at 10 attempts, and the tests must see what production does.
var CompensationRetry = temporal.RetryPolicy{
	InitialInterval:    time.Second,
	BackoffCoefficient: 2,
	MaximumInterval:    5 * time.Minute,
	MaximumAttempts:    math.MaxInt32,
}

// recordRetry retries the order's own bookkeeping (RecordOrder) once it fell back to a regular
// activity: without limit (a transition must not be lost), at most 10 s apart.
var recordRetry = temporal.RetryPolicy{
	InitialInterval:    100 * time.Millisecond,
	BackoffCoefficient: 2,
	MaximumInterval:    10 * time.Second,
	MaximumAttempts:    math.MaxInt32,
}

// Activity options per kind of step (the saga adds a summary and, for forward steps, the step's
// retry policy and ScheduleToClose). A StartToClose bounds each attempt, so a hung call is retried
// rather than waited for. WaitForCancellation makes a cancelled step (or workflow) wait for a running
// attempt to end before compensating, so a compensation never overtakes the step it undoes.
var (
	inventoryActivity = workflow.ActivityOptions{
		TaskQueue:           TaskQueueInventory,
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
		WaitForCancellation: true,
	}
	paymentActivity = workflow.ActivityOptions{ // on the saga's own task queue
		StartToCloseTimeout: 15 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
		WaitForCancellation: true,
	}
	// orderServiceAttempt is the one local attempt of the order service's own work (payments and
	// RecordOrder) before it falls back to a regular activity: well inside the 10 s workflow task
	// timeout, so a slow attempt never costs a workflow task heartbeat.
	orderServiceAttempt = workflow.LocalActivityOptions{
		StartToCloseTimeout: 5 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
	}
)

// forwardOptions are opts for a forward step under policy p.
func (p StepPolicy) forwardOptions(opts workflow.ActivityOptions, summary string) workflow.ActivityOptions {
	opts.Summary = summary
	opts.RetryPolicy = p.retryPolicy()
	opts.ScheduleToCloseTimeout = p.StepTimeout
	return opts
}
