package workers

import (
	"context"
	"log/slog"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"

	"github.com/order-saga/shop/workflows"
)

// WithLogger installs the activity logging interceptor (see NewLoggingInterceptor) with l.
func WithLogger(l *slog.Logger) Option {
	return func(o *worker.Options) {
		o.Interceptors = append(o.Interceptors, NewLoggingInterceptor(l))
	}
}

// NewLoggingInterceptor returns a worker interceptor that logs the start and the end (Debug, or Warn
// when it failed) of every activity execution, local ones included, with orderId (for an order saga's workflow), workflowId,
// activity and attempt, so that a saga step can be followed by its order id across services.
func NewLoggingInterceptor(l *slog.Logger) interceptor.WorkerInterceptor {
	return &loggingInterceptor{log: l}
}

type loggingInterceptor struct {
	interceptor.WorkerInterceptorBase
	log *slog.Logger
}

func (i *loggingInterceptor) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	a := &activityLogger{log: i.log}
	a.Next = next
	return a
}

type activityLogger struct {
	interceptor.ActivityInboundInterceptorBase
	log *slog.Logger
}

func (a *activityLogger) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	info := activity.GetInfo(ctx)
	attrs := make([]any, 0, 8)
	if orderID, ok := workflows.OrderIDFromWorkflowID(info.WorkflowExecution.ID); ok {
		attrs = append(attrs, "orderId", orderID)
	}
	attrs = append(attrs,
		"workflowId", info.WorkflowExecution.ID,
		"activity", info.ActivityType.Name,
		"attempt", info.Attempt,
	)
	l := a.log.With(attrs...)

	// A success is Debug, start and end: at Info a happy order cost five records here (half of all its
	// log records), each one CPU in the log shipper and Elasticsearch, to say what the saga's history,
	// its trace and the step metrics already say. A failure is what an operator looks for in the logs.
	l.DebugContext(ctx, "activity started", "local", info.IsLocalActivity)
	start := time.Now()
	out, err := a.Next.ExecuteActivity(ctx, in)
	took := slog.Float64("durationMs", float64(time.Since(start).Microseconds())/1000)
	if err != nil {
		// Warn, not Error: a refusal (short stock, a declined card) ends activities too, and a retry
		// may well succeed; the saga decides what is an error.
		l.WarnContext(ctx, "activity failed", took, "error", err.Error())
		return out, err
	}
	l.DebugContext(ctx, "activity completed", took)
	return out, nil
}
