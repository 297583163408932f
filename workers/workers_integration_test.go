//go:build integration

package workers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/workers"
)

// greet is a test-only activity: it proves activities run on the worker, not inside the workflow.
func greet(_ context.Context, name string) (string, error) { return "hello " + name, nil }

// greeting is a test-only workflow calling greet once.
func greeting(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
	})
	var out string
	err := workflow.ExecuteActivity(ctx, greet, name).Get(ctx, &out)
	return out, err
}

func TestWorkflowRunsOnDevServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := testenv.Temporal(t)
	queue := testenv.UniqueName(t, "test-queue")

	w := workers.NewWithOptions(c, queue, nil, func(r worker.Registry) {
		r.RegisterWorkflow(greeting)
		r.RegisterActivity(greet)
	})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)

	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: queue, TaskQueue: queue}, greeting, "saga")
	require.NoError(t, err)
	var out string
	require.NoError(t, run.Get(ctx, &out))
	require.Equal(t, "hello saga", out)

	desc, err := c.DescribeWorkflowExecution(ctx, run.GetID(), run.GetRunID())
	require.NoError(t, err)
	require.Equal(t, enums.WORKFLOW_EXECUTION_STATUS_COMPLETED, desc.GetWorkflowExecutionInfo().GetStatus())
}

// TestSearchAttributesRegistered: the saga writes OrderStatus and CustomerId; the dev server must have
// them as Keyword attributes, or every upsert would fail.
func TestSearchAttributesRegistered(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg := testenv.Config(t)
	resp, err := testenv.Temporal(t).OperatorService().ListSearchAttributes(ctx,
		&operatorservice.ListSearchAttributesRequest{Namespace: cfg.TemporalNamespace})
	require.NoError(t, err)
	for _, name := range []string{"OrderStatus", "CustomerId"} {
		typ, ok := resp.GetCustomAttributes()[name]
		require.True(t, ok, fmt.Sprintf("search attribute %s is not registered", name))
		require.Equal(t, enums.INDEXED_VALUE_TYPE_KEYWORD, typ, name)
	}
}
