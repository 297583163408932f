package workers

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"

	"github.com/order-saga/shop/internal/metrics"
	"github.com/order-saga/shop/workflows"
)

// Outcomes of one activity attempt, as the label "outcome".
const (
	outcomeCompleted = "completed"
	outcomeFailed    = "failed"
)

// isCompensation tells whether an activity undoes a step (workflows.IsCompensation of its step):
// Temporal retries those without limit, so their failed attempts are what tells that an order is
// stuck compensating.
func isCompensation(activity string) bool {
	return workflows.IsCompensation(workflows.ActivitySteps[activity])
}

// WithMetrics installs the activity metrics interceptor (NewMetricsInterceptor) registering on reg.
func WithMetrics(reg prometheus.Registerer) Option {
	return func(o *worker.Options) {
		o.Interceptors = append(o.Interceptors, NewMetricsInterceptor(reg))
	}
}

// NewMetricsInterceptor returns a worker interceptor that measures every activity execution, local
// ones included, by activity type (a closed set: the registered names):
//   - saga_activity_attempt_duration_seconds{activity,outcome}: one attempt's run time; its count is
//     the attempts, completed or failed;
//   - saga_step_duration_seconds{activity}: from the step's first scheduling to the attempt that
//     completed it, so queue waits, retries and the backoff between them are in it (Temporal's own
//     retries are invisible to the saga's history);
//   - saga_step_attempts{activity}: the attempt that completed the step (1: the first try did);
//   - saga_compensation_attempts_failed_total{activity}: failed attempts of a compensation (release
//     stock, void or refund a payment), which Temporal retries without limit.
func NewMetricsInterceptor(reg prometheus.Registerer) interceptor.WorkerInterceptor {
	return &metricsInterceptor{
		attempt: metrics.MustRegister(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "saga_activity_attempt_duration_seconds",
			Help:    "Run time of one attempt of a saga activity, by activity type and outcome (completed, failed).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"activity", "outcome"})),
		step: metrics.MustRegister(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "saga_step_duration_seconds",
			Help:    "Time from a saga activity's first scheduling to the attempt that completed it (queue waits and retries included), by activity type.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 1800},
		}, []string{"activity"})),
		attempts: metrics.MustRegister(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "saga_step_attempts",
			Help:    "The attempt that completed a saga activity (1: its first try), by activity type.",
			Buckets: []float64{1, 2, 3, 5, 8, 13, 21, 34, 55, 89},
		}, []string{"activity"})),
		compensationFailures: metrics.MustRegister(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "saga_compensation_attempts_failed_total",
			Help: "Failed attempts of a compensation activity (ReleaseStock, VoidPayment, RefundPayment), which Temporal retries without limit.",
		}, []string{"activity"})),
	}
}

type metricsInterceptor struct {
	interceptor.WorkerInterceptorBase
	attempt, step, attempts *prometheus.HistogramVec
	compensationFailures    *prometheus.CounterVec
}

// knows creates the series of the activities a worker registered, at zero, so that dashboards show
// them from the start and an alert sees the first failure as an increase.
func (m *metricsInterceptor) knows(names []string) {
	for _, name := range names {
		m.attempt.WithLabelValues(name, outcomeCompleted)
		m.attempt.WithLabelValues(name, outcomeFailed)
		m.step.WithLabelValues(name)
		m.attempts.WithLabelValues(name)
		if isCompensation(name) {
			m.compensationFailures.WithLabelValues(name)
		}
	}
}

func (m *metricsInterceptor) InterceptActivity(_ context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	a := &activityMetrics{m: m}
	a.Next = next
	return a
}

type activityMetrics struct {
	interceptor.ActivityInboundInterceptorBase
	m *metricsInterceptor
}

func (a *activityMetrics) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	info := activity.GetInfo(ctx)
	name := info.ActivityType.Name
	start := time.Now()
	out, err := a.Next.ExecuteActivity(ctx, in)
	took := time.Since(start).Seconds()
	if err != nil {
		a.m.attempt.WithLabelValues(name, outcomeFailed).Observe(took)
		if isCompensation(name) {
			a.m.compensationFailures.WithLabelValues(name).Inc()
		}
		return out, err
	}
	a.m.attempt.WithLabelValues(name, outcomeCompleted).Observe(took)
	if !info.ScheduledTime.IsZero() {
		a.m.step.WithLabelValues(name).Observe(max(time.Since(info.ScheduledTime).Seconds(), took))
	}
	a.m.attempts.WithLabelValues(name).Observe(float64(info.Attempt))
	return out, nil
}
