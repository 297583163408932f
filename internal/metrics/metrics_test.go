package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/metrics"
)

func TestRegisterSharesTheFirstCollector(t *testing.T) {
	reg := prometheus.NewRegistry()
	newCounter := func() *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: "things_total", Help: "Things."}, []string{"kind"})
	}
	first, err := metrics.Register(reg, newCounter())
	require.NoError(t, err)
	second, err := metrics.Register(reg, newCounter())
	require.NoError(t, err)
	second.WithLabelValues("a").Inc()
	require.Equal(t, 1.0, testutil.ToFloat64(first.WithLabelValues("a")), "the second registration counts into the first")

	_, err = metrics.Register(reg, prometheus.NewGauge(prometheus.GaugeOpts{Name: "things_total", Help: "Clash."}))
	require.Error(t, err, "another collector under the same name is refused")

	c, err := metrics.Register[prometheus.Counter](nil, prometheus.NewCounter(prometheus.CounterOpts{Name: "x", Help: "x"}))
	require.NoError(t, err)
	c.Inc() // a nil registerer still gives a working collector
}

// syncBuffer is a log sink that Poll's goroutine and the test may use at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestPollKeepsTheGaugeCurrent: the gauge follows the count; while the count fails it keeps the last
// value and the failure is logged once, however many ticks it lasts.
func TestPollKeepsTheGaugeCurrent(t *testing.T) {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "parked", Help: "Parked."})
	var (
		value atomic.Int64
		fail  atomic.Bool
		calls atomic.Int64
	)
	count := func(context.Context) (float64, error) {
		calls.Add(1)
		if fail.Load() {
			return 0, errors.New("away")
		}
		return float64(value.Load()), nil
	}

	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		metrics.Poll(ctx, 10*time.Millisecond, g, count, slog.New(slog.NewTextHandler(&logs, nil)))
	}()

	value.Store(3)
	require.Eventually(t, func() bool { return testutil.ToFloat64(g) == 3 }, 5*time.Second, time.Millisecond)
	fail.Store(true)
	from := calls.Load()
	require.Eventually(t, func() bool { return calls.Load() >= from+4 }, 5*time.Second, time.Millisecond)
	require.Equal(t, 3.0, testutil.ToFloat64(g), "failed counts keep the last value")
	value.Store(5)
	fail.Store(false)
	require.Eventually(t, func() bool { return testutil.ToFloat64(g) == 5 }, 5*time.Second, time.Millisecond)
	cancel()
	<-done
	require.Equal(t, 1, strings.Count(logs.String(), "metric not refreshed"), logs.String())
	require.Equal(t, 1, strings.Count(logs.String(), "metric refreshed again"), logs.String())
}

// TestOrdersCountTransitionsByStatus: every status's series exists at 0 from the start, and a
// recorded transition moves its own status's counter only.
func TestOrdersCountTransitionsByStatus(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := metrics.NewOrders(reg)
	require.NoError(t, err)
	require.Equal(t, len(domain.OrderStatuses())+1, testutil.CollectAndCount(reg), "one series per status, and the parked gauge")

	m.TransitionRecorded(domain.StatusNeedsAttention)
	m.TransitionRecorded(domain.StatusNeedsAttention)
	m.TransitionRecorded(domain.StatusConfirmed)
	m.Parked.Set(2)
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP orders_parked Orders waiting in NEEDS_ATTENTION for an operator (running sagas whose OrderStatus is NEEDS_ATTENTION, counted periodically).
# TYPE orders_parked gauge
orders_parked 2
`), "orders_parked"))
	transitions := map[string]float64{}
	for _, s := range domain.OrderStatuses() {
		transitions[string(s)] = testutil.ToFloat64(m.Transitions(s))
	}
	require.Equal(t, 2.0, transitions["NEEDS_ATTENTION"])
	require.Equal(t, 1.0, transitions["CONFIRMED"])
	require.Equal(t, 0.0, transitions["PENDING"])

	problems, err := testutil.GatherAndLint(reg)
	require.NoError(t, err)
	require.Empty(t, problems, "Prometheus naming conventions")
}
