package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/order-saga/shop/domain"
)

// Orders is the order service's metrics of the order flow: transitions recorded by status
// (orders.Metrics) and the orders parked now.
type Orders struct {
	transitions *prometheus.CounterVec
	// Parked is the number of orders in NEEDS_ATTENTION, set by a periodic count (Poll) of the
	// sagas Temporal's visibility lists as parked: right after a restart and the same on every
	// replica, which increments and decrements of a per-process gauge would not be.
	Parked prometheus.Gauge
}

// NewOrders registers the order flow's metrics on reg. Every status's series exists from the start
// at 0, so the first transition into a status shows as an increase.
func NewOrders(reg prometheus.Registerer) (*Orders, error) {
	transitions, err := Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "orders_transitions_total",
		Help: "Order transitions the order service recorded (their events published), by the status entered.",
	}, []string{"status"}))
	if err != nil {
		return nil, err
	}
	for _, s := range domain.OrderStatuses() {
		transitions.WithLabelValues(string(s))
	}
	parked, err := Register(reg, prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "orders_parked",
		Help: "Orders waiting in NEEDS_ATTENTION for an operator (running sagas whose OrderStatus is NEEDS_ATTENTION, counted periodically).",
	}))
	if err != nil {
		return nil, err
	}
	return &Orders{transitions: transitions, Parked: parked}, nil
}

// TransitionRecorded counts a recorded transition into status (orders.Metrics).
func (m *Orders) TransitionRecorded(status domain.OrderStatus) {
	m.transitions.WithLabelValues(string(status)).Inc()
}

// Transitions returns the counter of transitions into status (for tests and dashboards' checks).
func (m *Orders) Transitions(status domain.OrderStatus) prometheus.Counter {
	return m.transitions.WithLabelValues(string(status))
}
