package orders

import (
	"time"

	"github.com/order-saga/shop/domain"
)

// Order is an order as the order service keeps it: what its saga reports (the status query), what
// the order store holds and what every order event carries. Seq counts the order's transitions, so a
// stale write never overwrites a newer one and each transition's event has an id of its own.
// Adapters keep their own document shapes and map to and from this type.
type Order struct {
	OrderID    string             `json:"orderId"`
	CustomerID string             `json:"customerId"`
	Status     domain.OrderStatus `json:"status"`
	// Reason says in words why an order did not succeed, or why it waits for an operator.
	Reason string `json:"reason,omitempty"`
	// ReasonCode says in one word of a closed set why an order was refused, where its status alone
	// does not (ReasonUnpriceable).
	ReasonCode string    `json:"reasonCode,omitempty"`
	Lines      []Line    `json:"lines"`
	TotalMinor int64     `json:"totalMinor"`
	Currency   string    `json:"currency,omitempty"`
	PaymentID  string    `json:"paymentId,omitempty"`
	Steps      []Step    `json:"steps"`
	Seq        int64     `json:"seq"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

// Line is one line of an order: a product, its quantity, and the unit price the inventory reserved
// it at (zero until reserved).
type Line struct {
	ProductCode    string `json:"productCode"`
	Quantity       int64  `json:"quantity"`
	UnitPriceMinor int64  `json:"unitPriceMinor"`
	Currency       string `json:"currency,omitempty"`
}

// Step is one step of an order's saga as the status query and the API show it.
type Step struct {
	Name      string `json:"name"`
	State     string `json:"state"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"lastError,omitempty"`
}

// Step states.
const (
	StepPending      = "pending"
	StepRunning      = "running"
	StepCompleted    = "completed"
	StepFailed       = "failed"
	StepCompensating = "compensating"
	StepCompensated  = "compensated"
)

// ReasonUnpriceable is the ReasonCode of an order REJECTED because its total cannot be computed: it
// overflows, or its lines are priced in more than one currency.
const ReasonUnpriceable = "unpriceable"
