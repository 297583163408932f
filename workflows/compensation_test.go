package workflows_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/workflows"
)

// completions notes, in the test environment's (skipped) time, when each activity first succeeded.
type completions struct {
	mu sync.Mutex
	at map[string]time.Time
}

func watchCompletions(env *testsuite.TestWorkflowEnvironment) *completions {
	c := &completions{at: map[string]time.Time{}}
	env.SetOnActivityCompletedListener(func(info *activity.Info, _ converter.EncodedValue, err error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if _, seen := c.at[info.ActivityType.Name]; err == nil && !seen {
			c.at[info.ActivityType.Name] = env.Now()
		}
	})
	return c
}

func (c *completions) of(name string) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at[name]
}

func (f *fakeShop) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == name {
			n++
		}
	}
	return n
}

// TestPaymentOutageDuringCompensationKeepsHistoryBounded: the customer cancels a CONFIRMED order while
// the payment provider is down for two days. The stock goes back at once, not after the provider
// recovers; the refund is one activity that Temporal retries, backing off to one attempt every 5
// minutes, so two days of failures leave the history small (with a loop of attempts and timers in the
// saga it grew by about 11 events per attempt: some 60,000 over two days, past the 51,200 limit).
func TestPaymentOutageDuringCompensationKeepsHistoryBounded(t *testing.T) {
	const failedRefunds = 600 // at the 5-minute cap, a little over 49 hours
	f := &fakeShop{failures: map[string]int{activities.RefundPaymentName: failedRefunds}}
	env := newEnv(t, f)
	history := &historyCounter{}
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{history}})
	done := watchCompletions(env)
	var cancelledAt time.Time
	env.RegisterDelayedCallback(func() {
		cancelledAt = env.Now()
		env.SignalWorkflow(workflows.Cancel, workflows.CancelRequest{Reason: "changed my mind"})
	}, time.Hour)
	env.ExecuteWorkflow(workflows.OrderSaga, input)
	rec := result(t, env)

	require.Equal(t, domain.StatusCancelled, rec.Status)
	require.Equal(t, failedRefunds+1, f.count(activities.RefundPaymentName), "every attempt reached the provider")
	t.Logf("history: at most %d events for %d failed refund attempts (%v)", history.bound(), failedRefunds, history.counts)
	require.Less(t, history.bound(), 1000, "history events (upper bound)")
	require.Equal(t, 1, history.count("activity:"+activities.RefundPaymentName), "one activity, retried by Temporal")
	require.Zero(t, history.count("timer"), "no timers of the saga's own between attempts")
	require.Less(t, done.of(activities.ReleaseStockName).Sub(cancelledAt), time.Minute, "the stock went back at once")
	require.GreaterOrEqual(t, done.of(activities.RefundPaymentName).Sub(cancelledAt), 48*time.Hour, "the outage lasted two days")
	steps := stepStates(rec)
	require.Equal(t, orders.StepCompensated, steps[workflows.StepRefundPayment])
	require.Equal(t, orders.StepCompensated, steps[workflows.StepReleaseStock])
}

// TestStatusDuringACompensationShowsEachStep: while the void keeps failing the release is done, and the
// status query says so.
func TestStatusDuringACompensationShowsEachStep(t *testing.T) {
	f := &fakeShop{
		failures: map[string]int{activities.VoidPaymentName: 500}, // some 40 hours at the 5-minute cap
		refusals: map[string]int{activities.CommitStockName: 1},   // commit refused: FAILED, compensated
	}
	env := newEnv(t, f)
	env.RegisterDelayedCallback(func() {
		rec := queryStatus(t, env)
		require.Equal(t, domain.StatusCompensating, rec.Status)
		steps := stepStates(rec)
		require.Equal(t, orders.StepCompensating, steps[workflows.StepVoidPayment])
		require.Equal(t, orders.StepCompensated, steps[workflows.StepReleaseStock])
	}, time.Hour)
	env.ExecuteWorkflow(workflows.OrderSaga, input)
	rec := result(t, env)
	require.Equal(t, domain.StatusFailed, rec.Status)
	require.Equal(t, orders.StepCompensated, stepStates(rec)[workflows.StepVoidPayment])
}

// TestRefusedCompensationParksThenRunsAgain: a compensation refused for good (no retry can change it)
// parks the saga for an operator instead of ending the order with its payment held; the operator's
// retry runs it again and the order ends CANCELLED.
func TestRefusedCompensationParksThenRunsAgain(t *testing.T) {
	f := &fakeShop{refusals: map[string]int{activities.VoidPaymentName: 1}}
	env := newEnv(t, f)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.Cancel, workflows.CancelRequest{Reason: "r"})
	}, 100*time.Millisecond)
	env.RegisterDelayedCallback(func() {
		rec := queryStatus(t, env)
		require.Equal(t, domain.StatusNeedsAttention, rec.Status)
		require.Contains(t, rec.Reason, "void-payment was refused: VoidPayment refused")
		decide(env, t, workflows.ActionRetry)
	}, 10*time.Minute)
	f.failures = map[string]int{activities.AuthorizePaymentName: 2} // the cancel lands while authorize retries
	env.ExecuteWorkflow(workflows.OrderSaga, input)
	rec := result(t, env)

	require.Equal(t, domain.StatusCancelled, rec.Status)
	require.Equal(t, 2, f.count(activities.VoidPaymentName))
	require.Equal(t, 1, f.count(activities.ReleaseStockName), "the release succeeded the first time and is not repeated")
	require.Equal(t, []domain.OrderStatus{
		domain.StatusPending, domain.StatusReserved, domain.StatusCompensating, domain.StatusNeedsAttention,
		domain.StatusCompensating, domain.StatusCancelled,
	}, f.statuses())
}

// TestFulfilSignalBeforeConfirmationIsIgnored: a fulfil signal that arrives while the order is still
// being placed is dropped, not remembered until CONFIRMED.
func TestFulfilSignalBeforeConfirmationIsIgnored(t *testing.T) {
	f := &fakeShop{failures: map[string]int{activities.CommitStockName: 3}}
	env := newEnv(t, f)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(workflows.Fulfill, nil) }, 100*time.Millisecond)
	stillConfirmed := false
	env.RegisterDelayedCallback(func() {
		rec := queryStatus(t, env)
		stillConfirmed = rec.Status == domain.StatusConfirmed
		env.SignalWorkflow(workflows.Fulfill, nil)
	}, time.Hour)
	env.ExecuteWorkflow(workflows.OrderSaga, input)
	require.True(t, stillConfirmed, "an hour later the order was still CONFIRMED: the early fulfil did not complete it")
	require.Equal(t, domain.StatusCompleted, result(t, env).Status)
	require.Equal(t, []domain.OrderStatus{domain.StatusPending, domain.StatusReserved, domain.StatusConfirmed, domain.StatusCompleted}, f.statuses())
}

// TestUnpriceableOrderIsRejectedAndReleased: a total that overflows, or lines in two currencies, is a
// refusal of the order as submitted (REJECTED, reason code unpriceable), not a payment failure; the
// stock reserved for it goes back and no payment is tried.
func TestUnpriceableOrderIsRejectedAndReleased(t *testing.T) {
	tests := []struct {
		name   string
		shop   *fakeShop
		reason string
	}{
		{"total overflows", &fakeShop{prices: map[string]int64{"A": 4_000_000_000_000_000_000, "B": 1}}, "overflows"},
		{"mixed currencies", &fakeShop{currencies: map[string]string{"B": "EUR"}}, "one currency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t, tt.shop)
			env.ExecuteWorkflow(workflows.OrderSaga, input)
			rec := result(t, env)
			require.Equal(t, domain.StatusRejected, rec.Status)
			require.Equal(t, orders.ReasonUnpriceable, rec.ReasonCode)
			require.Contains(t, rec.Reason, tt.reason)
			require.Equal(t, []string{activities.ReserveStockName, activities.ReleaseStockName}, tt.shop.calls)
			require.Equal(t, []domain.OrderStatus{domain.StatusPending, domain.StatusCompensating, domain.StatusRejected}, tt.shop.statuses())
		})
	}
}

// TestHistoryCounterBoundsARecordedHistory checks historyCounter against a real one: the same path as
// testdata/v6-refund-retried-while-stock-released.json (recorded on the dev server: cancel after
// confirmation, the refund failing twice) must not be counted shorter than the server wrote it.
func TestHistoryCounterBoundsARecordedHistory(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "v6-refund-retried-while-stock-released.json"))
	require.NoError(t, err)
	var recorded struct {
		Events []json.RawMessage `json:"events"`
	}
	require.NoError(t, json.Unmarshal(b, &recorded))

	f := &fakeShop{failures: map[string]int{activities.RefundPaymentName: 2}}
	env := newEnv(t, f)
	history := &historyCounter{}
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{history}})
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.Cancel, "u", &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(err error) { t.Errorf("cancel rejected: %v", err) }, OnComplete: func(any, error) {},
		}, workflows.CancelRequest{Reason: "recorded"})
	}, time.Hour)
	env.ExecuteWorkflow(workflows.OrderSaga, input)
	require.Equal(t, domain.StatusCancelled, result(t, env).Status)
	t.Logf("recorded %d events, counted at most %d", len(recorded.Events), history.bound())
	require.GreaterOrEqual(t, history.bound(), len(recorded.Events))
}
