package mongodb

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/payments"
)

// Payments stores the payment sandbox's payments (collection payments, _id the order id), so that a
// restart of the sandbox loses nothing.
type Payments struct {
	coll *mongo.Collection
}

// NewPayments returns the payment store in db.
func NewPayments(db *mongo.Database) *Payments {
	return &Payments{coll: db.Collection("payments")}
}

type paymentDoc struct {
	OrderID     string    `bson:"_id"`
	ID          string    `bson:"paymentId"`
	Token       string    `bson:"token,omitempty"`
	AmountMinor int64     `bson:"amountMinor"`
	Currency    string    `bson:"currency,omitempty"`
	Status      string    `bson:"status"`
	CreatedAt   time.Time `bson:"createdAt"`
	UpdatedAt   time.Time `bson:"updatedAt"`
}

func toPaymentDoc(p payments.Payment) paymentDoc {
	return paymentDoc{OrderID: p.OrderID, ID: p.ID, Token: p.Token, AmountMinor: p.Amount.Minor, Currency: p.Amount.Currency,
		Status: string(p.Status), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

func (d paymentDoc) payment() payments.Payment {
	return payments.Payment{ID: d.ID, OrderID: d.OrderID, Token: d.Token, Amount: domain.Money{Minor: d.AmountMinor, Currency: d.Currency},
		Status: payments.Status(d.Status), CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

// Insert implements payments.Store.
func (s *Payments) Insert(ctx context.Context, p payments.Payment) error {
	return insertNew(ctx, s.coll, toPaymentDoc(p), "payment of "+p.OrderID)
}

// Get implements payments.Store.
func (s *Payments) Get(ctx context.Context, orderID string) (payments.Payment, error) {
	d, err := findByID[paymentDoc](ctx, s.coll, orderID, "payment of "+orderID)
	return d.payment(), err
}

// Move implements payments.Store: it reads the status and writes by _id alone, rather than with one
// update filtered on {_id, status}: FerretDB scans the whole collection for any filter but a single
// _id (85 ms a write among 5,000 documents, against 0.6 ms), and applies a filtered update as a read,
// then a write anyway (DESIGN.md "Stock correctness"), so the filter would not make it atomic there
// either. The sandbox serialises the operations on one order within its process, which makes this read
// and write one step; the sandbox runs as a single process.
func (s *Payments) Move(ctx context.Context, p payments.Payment, from payments.Status) (bool, error) {
	now, err := s.Get(ctx, p.OrderID)
	if err != nil {
		return false, err
	}
	if now.Status != from {
		return false, nil
	}
	_, err = s.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: p.OrderID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: string(p.Status)}, {Key: "updatedAt", Value: p.UpdatedAt}}}})
	if err != nil {
		return false, fmt.Errorf("move payment of %s from %s to %s: %w", p.OrderID, from, p.Status, err)
	}
	return true, nil
}

var _ payments.Store = (*Payments)(nil)
