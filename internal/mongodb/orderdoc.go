package mongodb

import (
	"time"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

// orderDoc is an order as the orders collection stores it. Its field names are the collection's
// schema: they stay as they are whatever orders.Order becomes.
type orderDoc struct {
	ID         string         `bson:"_id"`
	CustomerID string         `bson:"customerId"`
	Status     string         `bson:"status"`
	Reason     string         `bson:"reason,omitempty"`
	ReasonCode string         `bson:"reasonCode,omitempty"`
	Lines      []orderLineDoc `bson:"lines"`
	TotalMinor int64          `bson:"totalMinor"`
	Currency   string         `bson:"currency,omitempty"`
	PaymentID  string         `bson:"paymentId,omitempty"`
	Steps      []orderStepDoc `bson:"steps"`
	Seq        int64          `bson:"seq"`
	CreatedAt  time.Time      `bson:"createdAt"`
	UpdatedAt  time.Time      `bson:"updatedAt"`
}

type orderLineDoc struct {
	ProductCode    string `bson:"productCode"`
	Quantity       int64  `bson:"quantity"`
	UnitPriceMinor int64  `bson:"unitPriceMinor"`
	Currency       string `bson:"currency,omitempty"`
}

type orderStepDoc struct {
	Name      string `bson:"name"`
	State     string `bson:"state"`
	Attempts  int    `bson:"attempts"`
	LastError string `bson:"lastError,omitempty"`
}

func toOrderDoc(o orders.Order) orderDoc {
	d := orderDoc{
		ID: o.OrderID, CustomerID: o.CustomerID, Status: string(o.Status), Reason: o.Reason, ReasonCode: o.ReasonCode,
		TotalMinor: o.TotalMinor, Currency: o.Currency, PaymentID: o.PaymentID, Seq: o.Seq,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
		Lines: make([]orderLineDoc, len(o.Lines)), Steps: make([]orderStepDoc, len(o.Steps)),
	}
	for i, l := range o.Lines {
		d.Lines[i] = orderLineDoc(l)
	}
	for i, s := range o.Steps {
		d.Steps[i] = orderStepDoc(s)
	}
	return d
}

func (d orderDoc) order() orders.Order {
	o := orders.Order{
		OrderID: d.ID, CustomerID: d.CustomerID, Status: domain.OrderStatus(d.Status), Reason: d.Reason, ReasonCode: d.ReasonCode,
		TotalMinor: d.TotalMinor, Currency: d.Currency, PaymentID: d.PaymentID, Seq: d.Seq,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
		Lines: make([]orders.Line, len(d.Lines)), Steps: make([]orders.Step, len(d.Steps)),
	}
	for i, l := range d.Lines {
		o.Lines[i] = orders.Line(l)
	}
	for i, s := range d.Steps {
		o.Steps[i] = orders.Step(s)
	}
	return o
}
