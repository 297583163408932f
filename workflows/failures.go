package workflows

import (
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// What the saga reads from a step's failure. The attempts come from Temporal: the workers' activity
// interceptor puts each failed attempt's number into its ApplicationError (FailureDetails), and a
// ScheduleToClose timeout carries the last attempt's failure as its cause.

// nonRetryable reports a refusal that no retry can change (short stock, a declined card).
func nonRetryable(err error) bool {
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && appErr.NonRetryable()
}

// timedOut reports a step whose ScheduleToClose passed: while an attempt ran or waited (a
// TimeoutError; ScheduleToStart when no worker took the first attempt, since the server bounds the
// wait for a worker by ScheduleToClose), or before an attempt that would have ended past it (retry
// state TIMEOUT).
func timedOut(err error) bool {
	var actErr *temporal.ActivityError
	if errors.As(err, &actErr) && actErr.RetryState() == enumspb.RETRY_STATE_TIMEOUT {
		return true
	}
	var timeout *temporal.TimeoutError
	return errors.As(err, &timeout) && (timeout.TimeoutType() == enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE ||
		timeout.TimeoutType() == enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START)
}

// attemptsMade is how many attempts one run of an activity made, as far as Temporal tells: the last
// failed attempt's number; one for a success (a result carries no attempt count: the retries of a
// step that succeeded show in the worker's logs, each line with its attempt); none for an activity
// that never started.
func attemptsMade(err error) int {
	if err == nil {
		return 1
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		var d FailureDetails
		if appErr.HasDetails() && appErr.Details(&d) == nil && d.Attempt > 0 {
			return int(d.Attempt)
		}
		return 1
	}
	var actErr *temporal.ActivityError
	if errors.As(err, &actErr) && actErr.StartedEventID() == 0 {
		return 0
	}
	return 1
}

// failureMessage is what the order's step says of a failure: the innermost message, without
// Temporal's wrapping; for a timeout, which bound passed and what the last attempt said.
func failureMessage(err error) string {
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		what := "timed out: " + timeout.TimeoutType().String()
		var appErr *temporal.ApplicationError
		var inner *temporal.TimeoutError
		switch {
		case errors.As(timeout.Unwrap(), &appErr):
			return fmt.Sprintf("%s; attempt %d failed last: %s", what, attemptsMade(appErr), appErr.Message())
		case errors.As(timeout.Unwrap(), &inner):
			return fmt.Sprintf("%s; the last attempt timed out (%s)", what, inner.TimeoutType())
		case timeout.TimeoutType() != enumspb.TIMEOUT_TYPE_START_TO_CLOSE && attemptsMade(err) == 0:
			return what + "; no attempt started (is a worker polling the task queue?)"
		}
		return what
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Message()
	}
	if temporal.IsCanceledError(err) {
		return "cancelled"
	}
	return err.Error()
}
