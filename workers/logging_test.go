package workers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/order-saga/shop/workers"
	"github.com/order-saga/shop/workflows"
)

// Test-only activities and workflow: a step that fails its first attempt, then a local activity, as
// the saga runs RecordOrder.
const (
	flakyStepName = "LogTestFlakyStep"
	localStepName = "LogTestLocalStep"
)

func flakyStep(ctx context.Context) error {
	if activity.GetInfo(ctx).Attempt == 1 {
		return errors.New("first attempt fails")
	}
	return nil
}

func localStep(context.Context) error { return nil }

func loggedSteps(ctx workflow.Context) error {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 50 * time.Millisecond, MaximumAttempts: 3},
	})
	if err := workflow.ExecuteActivity(actx, flakyStepName).Get(ctx, nil); err != nil {
		return err
	}
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 10 * time.Second})
	return workflow.ExecuteLocalActivity(lctx, localStepName).Get(ctx, nil)
}

func registerLoggedSteps(r worker.Registry) {
	r.RegisterWorkflow(loggedSteps)
	r.RegisterActivityWithOptions(flakyStep, activity.RegisterOptions{Name: flakyStepName})
	r.RegisterActivityWithOptions(localStep, activity.RegisterOptions{Name: localStepName})
}

// syncBuffer collects JSON log lines from concurrent activity goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		var r map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		out = append(out, r)
	}
	return out
}

// step is what a log record of an activity execution says, in the order the records were written.
type step struct {
	msg, orderID, workflowID, activity string
	attempt                            float64
	hasError                           bool
}

func stepOf(r map[string]any) step {
	s := step{}
	s.msg, _ = r["msg"].(string)
	if s.msg == "" {
		s.msg, _ = r["message"].(string)
	}
	s.orderID, _ = r["orderId"].(string)
	s.workflowID, _ = r["workflowId"].(string)
	s.activity, _ = r["activity"].(string)
	s.attempt, _ = r["attempt"].(float64)
	_, s.hasError = r["error"]
	return s
}

// wantSteps is the log of loggedSteps for order orderID at level: a success is Debug, start and end.
func wantSteps(orderID string, level slog.Level) []step {
	id := workflows.OrderWorkflowID(orderID)
	all := []step{
		{"activity started", orderID, id, flakyStepName, 1, false},
		{"activity failed", orderID, id, flakyStepName, 1, true},
		{"activity started", orderID, id, flakyStepName, 2, false},
		{"activity completed", orderID, id, flakyStepName, 2, false},
		{"activity started", orderID, id, localStepName, 1, false},
		{"activity completed", orderID, id, localStepName, 1, false},
	}
	if level <= slog.LevelDebug {
		return all
	}
	return slices.DeleteFunc(all, func(s step) bool { return s.msg != "activity failed" })
}

func TestLoggingInterceptorTagsActivities(t *testing.T) {
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo} {
		t.Run(level.String(), func(t *testing.T) { testLoggingInterceptor(t, level) })
	}
}

func testLoggingInterceptor(t *testing.T, level slog.Level) {
	var out syncBuffer
	log := slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: level}))

	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{workers.NewLoggingInterceptor(log)}})
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: workflows.OrderWorkflowID("o-7")})
	registerLoggedSteps(env)
	env.ExecuteWorkflow(loggedSteps)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())

	var got []step
	for _, r := range out.records(t) {
		got = append(got, stepOf(r))
	}
	require.Equal(t, wantSteps("o-7", level), got)
}

func TestOrderIDFromWorkflowID(t *testing.T) {
	tests := []struct {
		workflowID string
		orderID    string
		ok         bool
	}{
		{workflows.OrderWorkflowID("abc-1"), "abc-1", true},
		{"order-", "", false},
		{"greeting-1", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.workflowID, func(t *testing.T) {
			id, ok := workflows.OrderIDFromWorkflowID(tt.workflowID)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.orderID, id)
		})
	}
}
