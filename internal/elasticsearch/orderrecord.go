package elasticsearch

import (
	"time"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

// orderRecord is the whole order kept in an index document ("record", not indexed) to answer searches
// with. Its JSON names are the index's: they stay as they are whatever orders.Order becomes, so
// existing indices keep answering.
type orderRecord struct {
	OrderID    string            `json:"orderId"`
	CustomerID string            `json:"customerId"`
	Status     string            `json:"status"`
	Reason     string            `json:"reason,omitempty"`
	ReasonCode string            `json:"reasonCode,omitempty"`
	Lines      []orderLineRecord `json:"lines"`
	TotalMinor int64             `json:"totalMinor"`
	Currency   string            `json:"currency,omitempty"`
	PaymentID  string            `json:"paymentId,omitempty"`
	Steps      []orderStepRecord `json:"steps"`
	Seq        int64             `json:"seq"`
	CreatedAt  time.Time         `json:"createdAt"`
	UpdatedAt  time.Time         `json:"updatedAt"`
}

type orderLineRecord struct {
	ProductCode    string `json:"productCode"`
	Quantity       int64  `json:"quantity"`
	UnitPriceMinor int64  `json:"unitPriceMinor"`
	Currency       string `json:"currency,omitempty"`
}

type orderStepRecord struct {
	Name      string `json:"name"`
	State     string `json:"state"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"lastError,omitempty"`
}

func toOrderRecord(o orders.Order) orderRecord {
	r := orderRecord{
		OrderID: o.OrderID, CustomerID: o.CustomerID, Status: string(o.Status), Reason: o.Reason, ReasonCode: o.ReasonCode,
		TotalMinor: o.TotalMinor, Currency: o.Currency, PaymentID: o.PaymentID, Seq: o.Seq,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
	}
	if o.Lines != nil {
		r.Lines = make([]orderLineRecord, len(o.Lines))
	}
	for i, l := range o.Lines {
		r.Lines[i] = orderLineRecord{ProductCode: l.ProductCode, Quantity: l.Quantity, UnitPriceMinor: l.UnitPriceMinor, Currency: l.Currency}
	}
	if o.Steps != nil {
		r.Steps = make([]orderStepRecord, len(o.Steps))
	}
	for i, s := range o.Steps {
		r.Steps[i] = orderStepRecord{Name: s.Name, State: s.State, Attempts: s.Attempts, LastError: s.LastError}
	}
	return r
}

func (r orderRecord) order() orders.Order {
	o := orders.Order{
		OrderID: r.OrderID, CustomerID: r.CustomerID, Status: domain.OrderStatus(r.Status), Reason: r.Reason, ReasonCode: r.ReasonCode,
		TotalMinor: r.TotalMinor, Currency: r.Currency, PaymentID: r.PaymentID, Seq: r.Seq,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.Lines != nil {
		o.Lines = make([]orders.Line, len(r.Lines))
	}
	for i, l := range r.Lines {
		o.Lines[i] = orders.Line{ProductCode: l.ProductCode, Quantity: l.Quantity, UnitPriceMinor: l.UnitPriceMinor, Currency: l.Currency}
	}
	if r.Steps != nil {
		o.Steps = make([]orders.Step, len(r.Steps))
	}
	for i, s := range r.Steps {
		o.Steps[i] = orders.Step{Name: s.Name, State: s.State, Attempts: s.Attempts, LastError: s.LastError}
	}
	return o
}
