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

// Move implements payments.Store with an update filtered on the expected status. FerretDB applies it as
// a read, then a write (DESIGN.md "Stock correctness"), so two moves of one payment overlapping inside
// the server could both pass the filter; acceptable here: the saga sends one payment call at a time per
// order, and the sandbox is a test stand-in, not a ledger of money.
func (s *Payments) Move(ctx context.Context, p payments.Payment, from payments.Status) (bool, error) {
	res, err := s.coll.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: p.OrderID}, {Key: "status", Value: string(from)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: string(p.Status)}, {Key: "updatedAt", Value: p.UpdatedAt}}}})
	if err != nil {
		return false, fmt.Errorf("move payment of %s from %s to %s: %w", p.OrderID, from, p.Status, err)
	}
	return res.MatchedCount == 1, nil
}

var _ payments.Store = (*Payments)(nil)
