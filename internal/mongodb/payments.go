package mongodb

import (
	"context"
	"time"

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

// Update implements payments.Store.
func (s *Payments) Update(ctx context.Context, p payments.Payment) error {
	return replaceByID(ctx, s.coll, p.OrderID, toPaymentDoc(p), "payment of "+p.OrderID)
}

var _ payments.Store = (*Payments)(nil)
