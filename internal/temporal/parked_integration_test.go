//go:build integration

package temporal_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/internal/temporal"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/workflows"
)

// TestCountParked runs the real saga on the stack's Temporal server with a reserve step that always
// fails: two orders whose policy allows one attempt park, a third keeps retrying (PENDING). The count
// is the two parked ones, and one fewer once an operator has compensated one of them.
func TestCountParked(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := testenv.Temporal(t)
	queue := testenv.UniqueName(t, "parked")
	startInventoryDownWorker(t, c, queue)
	sagas := temporal.Sagas{Client: c, TaskQueue: queue, InventoryTaskQueue: queue}

	start := func(attempts int) string {
		return startOneLineSaga(ctx, t, c, queue, workflows.StepPolicy{InitialInterval: 50 * time.Millisecond, MaxAttempts: attempts})
	}
	first, _, _ := start(1), start(1), start(1000)

	// The count is polled here, in the test's goroutine: testify's Eventually and Never run the check
	// in a goroutine of their own that can outlive them and then meet the test's cancelled context.
	count := func() int64 {
		n, err := sagas.CountParked(ctx)
		require.NoError(t, err)
		return n
	}
	waitFor := func(want int64) {
		deadline := time.Now().Add(time.Minute)
		for n := count(); n != want; n = count() {
			require.Truef(t, time.Now().Before(deadline), "%d orders parked after a minute, want %d", n, want)
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor(2)

	_, err := sagas.Decide(ctx, first, orders.Decision{Action: workflows.ActionCompensate, Operator: "test"})
	require.NoError(t, err)
	waitFor(1)
	for range 10 {
		time.Sleep(200 * time.Millisecond)
		require.EqualValues(t, 1, count(), "the retrying order is not parked")
	}
}
