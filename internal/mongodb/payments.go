package mongodb

import (
	"context"
	"errors"
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
	_, err := s.coll.InsertOne(ctx, toPaymentDoc(p))
	if mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("payment of %s exists: %w", p.OrderID, domain.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("insert payment of %s: %w", p.OrderID, err)
	}
	return nil
}

// Get implements payments.Store.
func (s *Payments) Get(ctx context.Context, orderID string) (payments.Payment, error) {
	var d paymentDoc
	err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: orderID}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return payments.Payment{}, fmt.Errorf("payment of %s: %w", orderID, domain.ErrNotFound)
	}
	if err != nil {
		return payments.Payment{}, fmt.Errorf("read payment of %s: %w", orderID, err)
	}
	return d.payment(), nil
}

// Update implements payments.Store.
func (s *Payments) Update(ctx context.Context, p payments.Payment) error {
	if _, err := s.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: p.OrderID}}, toPaymentDoc(p)); err != nil {
		return fmt.Errorf("update payment of %s: %w", p.OrderID, err)
	}
	return nil
}

var _ payments.Store = (*Payments)(nil)
