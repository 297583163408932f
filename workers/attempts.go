package workers

import (
	"context"
	"errors"
	"reflect"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"

	"github.com/order-saga/shop/workflows"
)

// attemptInterceptor puts the attempt number into every activity failure (as
// workflows.FailureDetails on its ApplicationError, with the failure's message, type and
// non-retryable flag kept), so that the saga learns how many attempts a step took from Temporal's
// own retries instead of counting them itself. Every worker built here installs it.
type attemptInterceptor struct {
	interceptor.WorkerInterceptorBase
}

func (*attemptInterceptor) InterceptActivity(_ context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	a := &attemptInbound{}
	a.Next = next
	return a
}

type attemptInbound struct {
	interceptor.ActivityInboundInterceptorBase
}

func (a *attemptInbound) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	out, err := a.Next.ExecuteActivity(ctx, in)
	if err == nil || ctx.Err() != nil { // a cancelled or timed-out attempt reports itself as such
		return out, err
	}
	return out, withAttempt(err, activity.GetInfo(ctx).Attempt)
}

// withAttempt returns err as the ApplicationError Temporal would make of it, with the attempt as its
// details. Temporal's own errors (cancelled, timed out, panicked, …) pass as they are.
func withAttempt(err error, attempt int32) error {
	details := workflows.FailureDetails{Attempt: attempt}
	if appErr, ok := err.(*temporal.ApplicationError); ok {
		return temporal.NewApplicationErrorWithOptions(appErr.Message(), appErr.Type(), temporal.ApplicationErrorOptions{
			NonRetryable:   appErr.NonRetryable(),
			Cause:          errors.Unwrap(appErr),
			Details:        []any{details},
			NextRetryDelay: appErr.NextRetryDelay(),
			Category:       appErr.Category(),
		})
	}
	switch err.(type) {
	case *temporal.CanceledError, *temporal.TimeoutError, *temporal.PanicError, *temporal.TerminatedError,
		*temporal.ServerError, *temporal.ActivityError, *temporal.ChildWorkflowExecutionError:
		return err
	}
	if errors.Is(err, activity.ErrResultPending) {
		return err
	}
	// As Temporal converts any other error: retryable, typed by its Go type's name.
	return temporal.NewApplicationErrorWithOptions(err.Error(), errTypeName(err), temporal.ApplicationErrorOptions{Details: []any{details}})
}

// errTypeName is the Go type name Temporal gives a plain error's failure ("" for errors.New's).
func errTypeName(err error) string {
	t := reflect.TypeOf(err)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Name() == "errorString" {
		return ""
	}
	return t.Name()
}

// NewAttemptInterceptor returns the interceptor every worker built here installs (and tests install on
// the SDK's test environment).
func NewAttemptInterceptor() interceptor.WorkerInterceptor { return &attemptInterceptor{} }
