package workflows_test

import (
	"sync"
	"time"

	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// historyCounter bounds from above the history a workflow writes, from the commands it gives and the
// messages it takes (the SDK's test environment keeps no history of its own). Each kind counts its own
// events plus a workflow task (scheduled, started, completed) to wake the workflow up, as if none were
// shared: an activity 3+3 (scheduled, started, closed), whatever its retries, which Temporal keeps out
// of the history; a timer 2+3; a local activity's marker 1+3; a signal 1+3; an update 2+3; a search
// attribute upsert 1; a version marker and its search attribute 2.
type historyCounter struct {
	interceptor.WorkerInterceptorBase
	mu     sync.Mutex
	events int
	counts map[string]int
}

func (c *historyCounter) add(kind string, events int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	c.counts[kind]++
	c.events += events
}

// bound is the upper bound on the history's length: the counted events plus the start, the first
// workflow task and the close.
func (c *historyCounter) bound() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.events + 5
}

func (c *historyCounter) count(kind string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[kind]
}

func (c *historyCounter) InterceptWorkflow(_ workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &countingInbound{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}, c: c}
}

type countingInbound struct {
	interceptor.WorkflowInboundInterceptorBase
	c *historyCounter
}

func (i *countingInbound) Init(outbound interceptor.WorkflowOutboundInterceptor) error {
	return i.Next.Init(&countingOutbound{WorkflowOutboundInterceptorBase: interceptor.WorkflowOutboundInterceptorBase{Next: outbound}, c: i.c})
}

func (i *countingInbound) HandleSignal(ctx workflow.Context, in *interceptor.HandleSignalInput) error {
	i.c.add("signal", 4)
	return i.Next.HandleSignal(ctx, in)
}

func (i *countingInbound) ExecuteUpdate(ctx workflow.Context, in *interceptor.UpdateInput) (any, error) {
	i.c.add("update", 5)
	return i.Next.ExecuteUpdate(ctx, in)
}

type countingOutbound struct {
	interceptor.WorkflowOutboundInterceptorBase
	c *historyCounter
}

func (o *countingOutbound) ExecuteActivity(ctx workflow.Context, activityType string, args ...any) workflow.Future {
	o.c.add("activity:"+activityType, 6)
	return o.Next.ExecuteActivity(ctx, activityType, args...)
}

func (o *countingOutbound) ExecuteLocalActivity(ctx workflow.Context, activityType string, args ...any) workflow.Future {
	o.c.add("local:"+activityType, 4)
	return o.Next.ExecuteLocalActivity(ctx, activityType, args...)
}

func (o *countingOutbound) NewTimer(ctx workflow.Context, d time.Duration) workflow.Future {
	o.c.add("timer", 5)
	return o.Next.NewTimer(ctx, d)
}

func (o *countingOutbound) NewTimerWithOptions(ctx workflow.Context, d time.Duration, opts workflow.TimerOptions) workflow.Future {
	o.c.add("timer", 5)
	return o.Next.NewTimerWithOptions(ctx, d, opts)
}

func (o *countingOutbound) Sleep(ctx workflow.Context, d time.Duration) error {
	o.c.add("timer", 5)
	return o.Next.Sleep(ctx, d)
}

func (o *countingOutbound) AwaitWithTimeout(ctx workflow.Context, d time.Duration, cond func() bool) (bool, error) {
	o.c.add("timer", 5)
	return o.Next.AwaitWithTimeout(ctx, d, cond)
}

func (o *countingOutbound) AwaitWithOptions(ctx workflow.Context, opts workflow.AwaitOptions, cond func() bool) (bool, error) {
	if opts.Timeout > 0 {
		o.c.add("timer", 5)
	}
	return o.Next.AwaitWithOptions(ctx, opts, cond)
}

func (o *countingOutbound) UpsertTypedSearchAttributes(ctx workflow.Context, attrs ...temporal.SearchAttributeUpdate) error {
	o.c.add("upsert", 1)
	return o.Next.UpsertTypedSearchAttributes(ctx, attrs...)
}

func (o *countingOutbound) GetVersion(ctx workflow.Context, changeID string, minSupported, maxSupported workflow.Version) workflow.Version {
	o.c.add("version", 2)
	return o.Next.GetVersion(ctx, changeID, minSupported, maxSupported)
}
