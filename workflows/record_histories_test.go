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
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/workers"
	"github.com/order-saga/shop/workflows"
)

func TestRecordHistories(t *testing.T) {
	version := os.Getenv("HISTORY_VERSION")
	require.NotEmpty(t, version, "set HISTORY_VERSION (for example v1) to name the recordings")
	c := testenv.Temporal(t)
	ctx := context.Background()

	type path struct {
		name   string
		shop   *fakeShop
		policy workflows.StepPolicy
		early  func(id string) // what a customer does right after placing the order
		steer  func(id string) // what a customer or operator does once the saga has decided
		// noInventory leaves the inventory's activities without a worker until the saga has decided.
		noInventory bool
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
	awaitStatus := func(id string, want domain.OrderStatus) {
		require.Eventually(t, func() bool {
			v, err := c.QueryWorkflow(ctx, id, "", workflows.QueryStatus)
			if err != nil {
				return false
			}
			var rec orders.Order
			return v.Get(&rec) == nil && rec.Status == want
		}, 30*time.Second, 50*time.Millisecond)
	}
	operator := func(action string) func(id string) {
		return func(id string) {
			h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: workflows.OperatorDecision, Args: []any{workflows.Decision{Action: action, Operator: "recorder"}}, WaitForStage: client.WorkflowUpdateStageCompleted})
			require.NoError(t, err)
			require.NoError(t, h.Get(ctx, nil))
		}
	}
	parkFast := workflows.StepPolicy{MaxAttempts: 2, ParkDeadline: time.Hour}
	reserveDown := &fakeShop{failures: map[string]int{activities.ReserveStockName: 1000}}
	paths := []path{
		{name: "completed", shop: &fakeShop{}, steer: fulfil},
		{name: "rejected", shop: &fakeShop{reserveErr: short}},
		{name: "declined", shop: &fakeShop{authorizeErr: decline}},
		{name: "cancelled-after-confirmation", shop: &fakeShop{}, steer: cancel},
		{name: "flaky-capture-then-completed", shop: &fakeShop{failures: map[string]int{activities.CapturePaymentName: 2}}, steer: fulfil},
		{name: "workflow-cancelled", shop: &fakeShop{}, steer: func(id string) { require.NoError(t, c.CancelWorkflow(ctx, id, "")) }},
		// Parking (NEEDS_ATTENTION) came with the version change "parking"; these paths start at v2.
		{name: "parked-then-retried", shop: &fakeShop{failures: map[string]int{activities.CapturePaymentName: 3}}, policy: parkFast,
			steer: func(id string) {
				operator(workflows.ActionRetry)(id)
				awaitStatus(id, domain.StatusConfirmed)
				fulfil(id)
			}},
		{name: "parked-then-compensated", shop: &fakeShop{failures: map[string]int{activities.CommitStockName: 1000}}, policy: parkFast,
			steer: operator(workflows.ActionCompensate)},
		{name: "parked-then-cancelled", shop: &fakeShop{failures: map[string]int{activities.AuthorizePaymentName: 1000}}, policy: parkFast,
			steer: cancel},
		{name: "parked-past-deadline", shop: &fakeShop{failures: map[string]int{activities.CapturePaymentName: 1000}},
			policy: workflows.StepPolicy{MaxAttempts: 2, ParkDeadline: 2 * time.Second}},
		// From v3 (change "bounded-compensations"): compensations side by side, retried by Temporal;
		// a refused compensation parks; early fulfil signals are dropped; unpriceable orders are REJECTED.
		{name: "refund-retried-while-stock-released", shop: &fakeShop{failures: map[string]int{activities.RefundPaymentName: 2}}, steer: cancel},
		{name: "refused-void-parked-then-retried", shop: &fakeShop{refusals: map[string]int{activities.VoidPaymentName: 1}, failures: map[string]int{activities.CommitStockName: 1000}},
			policy: parkFast, steer: func(id string) {
				operator(workflows.ActionCompensate)(id) // parked at commit-stock: compensate
				awaitStatus(id, domain.StatusNeedsAttention)
				operator(workflows.ActionRetry)(id) // the void was refused once: run it again
			}},
		{name: "early-fulfil-signal-ignored", shop: &fakeShop{failures: map[string]int{activities.CommitStockName: 2}},
			early: func(id string) { require.NoError(t, c.SignalWorkflow(ctx, id, "", workflows.Fulfill, nil)) },
			steer: func(id string) {
				awaitStatus(id, domain.StatusConfirmed)
				fulfil(id)
			}},
		{name: "unpriceable-rejected", shop: &fakeShop{currencies: map[string]string{"B": "EUR"}}},
		// From v4 (change "native-step-retries"): forward steps retried by Temporal, the order service's
		// work as a local attempt first; v4 records the paths above again plus these.
		{name: "cancelled-while-reserve-retries", shop: reserveDown,
			early: func(id string) {
				require.Eventually(t, func() bool { return reserveDown.count(activities.ReserveStockName) >= 2 }, 30*time.Second, 20*time.Millisecond)
				cancel(id)
			}},
		{name: "payment-outage-falls-back-to-activity", shop: &fakeShop{failures: map[string]int{activities.AuthorizePaymentName: 3}}, steer: fulfil},
		// v5 (version 2 of "native-step-retries": the PENDING record rides with the authorization)
		// records every path again.
		// Since v6 the inventory's API takes reserve first: it fails once, so the step falls back to
		// the inventory's worker, which is away.
		{name: "step-timeout-parked-then-retried", shop: &fakeShop{failures: map[string]int{activities.ReserveStockName: 1}}, noInventory: true,
			policy: workflows.StepPolicy{StepTimeout: 2 * time.Second, ParkDeadline: time.Hour}, steer: func(id string) {
				operator(workflows.ActionRetry)(id)
				awaitStatus(id, domain.StatusConfirmed)
				fulfil(id)
			}},
	}
	if only := os.Getenv("HISTORY_PATHS"); only != "" { // record some paths only (a new version's)
		var keep []path
		for _, p := range paths {
			if slices.Contains(strings.Split(only, ","), p.name) {
				keep = append(keep, p)
			}
		}
		require.NotEmpty(t, keep, "HISTORY_PATHS names no known path")
		paths = keep
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			queue := testenv.UniqueName(t, "record")
			w := workers.NewWithOptions(c, queue, nil, func(r worker.Registry) { // as in production: with attempts on failures
				workflows.Register(r)
				p.shop.registerOn(r)
			})
			require.NoError(t, w.Start())
			defer w.Stop()

			in := input
			in.OrderID = fmt.Sprintf("rec-%s-%d", p.name, time.Now().UnixNano())
			in.InventoryTaskQueue = queue // the stand-in inventory activities run on this worker too
			if p.noInventory {
				in.InventoryTaskQueue = queue + "-nobody"
			}
			in.Policy = p.policy
			id := workflows.OrderWorkflowID(in.OrderID)
			run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, workflows.OrderSagaName, in)
			require.NoError(t, err)
			if p.early != nil {
				p.early(id)
			}
			if p.steer != nil {
				require.Eventually(t, func() bool {
					v, err := c.QueryWorkflow(ctx, id, "", workflows.QueryStatus)
					if err != nil {
						return false
					}
					var rec orders.Order
					return v.Get(&rec) == nil && workflows.OutcomeKnown(rec.Status)
				}, 30*time.Second, 50*time.Millisecond)
				if p.noInventory { // the inventory's worker is back
					inv := workers.NewWithOptions(c, in.InventoryTaskQueue, nil, func(r worker.Registry) { p.shop.registerOn(r) })
					require.NoError(t, inv.Start())
					defer inv.Stop()
				}
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
