//go:build record

// Recording, not testing: `make record-histories` runs every path of the saga on the local stack's
// dev server (with stand-in activities: only the workflow's history matters here) and writes each
// history to testdata/, where the replay test (replay_test.go) replays it against the current code.
// Record anew only for a new path; never re-record to make a failing replay pass: that failure means
// running workflows would break.
package workflows_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/workflows"
)

func TestRecordHistories(t *testing.T) {
	version := os.Getenv("HISTORY_VERSION")
	require.NotEmpty(t, version, "set HISTORY_VERSION (for example v1) to name the recordings")
	c := testenv.Temporal(t)
	ctx := context.Background()

	type path struct {
		name  string
		shop  *fakeShop
		steer func(id string) // what a customer or operator does while the saga runs
	}
	decline := temporal.NewNonRetryableApplicationError("the card was declined", activities.ErrTypePaymentDeclined, nil)
	short := temporal.NewNonRetryableApplicationError("insufficient stock of A: requested 3, available 1", activities.ErrTypeInsufficientStock, nil)
	fulfil := func(id string) {
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: workflows.Fulfill, WaitForStage: client.WorkflowUpdateStageCompleted})
		require.NoError(t, err)
		require.NoError(t, h.Get(ctx, nil))
	}
	cancel := func(id string) {
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: workflows.Cancel, Args: []any{workflows.CancelRequest{Reason: "recorded"}}, WaitForStage: client.WorkflowUpdateStageCompleted})
		require.NoError(t, err)
		require.NoError(t, h.Get(ctx, nil))
	}
	paths := []path{
		{name: "completed", shop: &fakeShop{}, steer: fulfil},
		{name: "rejected", shop: &fakeShop{reserveErr: short}},
		{name: "declined", shop: &fakeShop{authorizeErr: decline}},
		{name: "cancelled-after-confirmation", shop: &fakeShop{}, steer: cancel},
		{name: "flaky-capture-then-completed", shop: &fakeShop{failures: map[string]int{activities.CapturePaymentName: 2}}, steer: fulfil},
		{name: "workflow-cancelled", shop: &fakeShop{}, steer: func(id string) { require.NoError(t, c.CancelWorkflow(ctx, id, "")) }},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			queue := testenv.UniqueName(t, "record")
			w := worker.New(c, queue, worker.Options{})
			workflows.Register(w)
			p.shop.registerOn(w)
			require.NoError(t, w.Start())
			defer w.Stop()

			in := input
			in.OrderID = fmt.Sprintf("rec-%s-%d", p.name, time.Now().UnixNano())
			in.InventoryTaskQueue = queue // the stand-in inventory activities run on this worker too
			id := workflows.OrderWorkflowID(in.OrderID)
			run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, workflows.OrderSagaName, in)
			require.NoError(t, err)
			if p.steer != nil {
				require.Eventually(t, func() bool {
					v, err := c.QueryWorkflow(ctx, id, "", workflows.QueryStatus)
					if err != nil {
						return false
					}
					var rec activities.OrderRecord
					return v.Get(&rec) == nil && workflows.Decided(rec.Status)
				}, 30*time.Second, 50*time.Millisecond)
				p.steer(id)
			}
			_ = run.Get(ctx, nil)

			var events []*historypb.HistoryEvent
			it := c.GetWorkflowHistory(ctx, id, run.GetRunID(), false, 0)
			for it.HasNext() {
				e, err := it.Next()
				require.NoError(t, err)
				events = append(events, e)
			}
			b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&historypb.History{Events: events})
			require.NoError(t, err)
			file := filepath.Join("testdata", fmt.Sprintf("%s-%s.json", version, p.name))
			require.NoError(t, os.WriteFile(file, b, 0o644))
			t.Logf("recorded %d events to %s", len(events), file)
		})
	}
}
