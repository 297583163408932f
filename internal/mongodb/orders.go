package mongodb

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/orders"
)

// Orders stores the order service's copy of each order (collection orders, _id the order id), as the
// saga records it on every transition.
type Orders struct {
	coll *mongo.Collection
}

// NewOrders returns the order store in db.
func NewOrders(db *mongo.Database) *Orders {
	return &Orders{coll: db.Collection("orders")}
}

// Save implements activities.OrderStore: it writes rec only over an older transition (a lower seq),
// so a retried or late write never moves an order backwards. One conditional upsert does it: the
// filter {_id, seq < rec.Seq} matches an older stored order, which is replaced; no match inserts, and
// when an order with that _id exists (at this seq or a newer one) the insert is refused as a
// duplicate key, which means the write is stale: nothing to do.
//
// On MongoDB the conditional replace is atomic. FerretDB 1.x applies it as a read, then a write (see
// DESIGN.md "Stock correctness"), so two writes of one order that overlap inside the server can still
// land in the wrong order. That is left open on purpose: one order's transitions come from its own saga,
// one at a time, so the only overlap is a RecordOrder attempt that outlived its timeout racing the next
// transition, a narrow window that the next transition's write closes again; stock never depends on this
// record (the ledger decides).
func (s *Orders) Save(ctx context.Context, rec activities.OrderRecord) error {
	filter := bson.D{{Key: "_id", Value: rec.OrderID}, {Key: "seq", Value: bson.D{{Key: "$lt", Value: rec.Seq}}}}
	_, err := s.coll.ReplaceOne(ctx, filter, rec, options.Replace().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) {
		return nil // the stored order is at this transition or a later one
	}
	if err != nil {
		return fmt.Errorf("save order %s #%d: %w", rec.OrderID, rec.Seq, err)
	}
	return nil
}

// Get returns an order; domain.ErrNotFound if there is none.
func (s *Orders) Get(ctx context.Context, orderID string) (activities.OrderRecord, error) {
	return findByID[activities.OrderRecord](ctx, s.coll, orderID, "order "+orderID)
}

// List returns a page of orders ordered by id, filtered by status and customer; the text and product
// conditions of q are orders.StoreSearch's to apply.
func (s *Orders) List(ctx context.Context, q orders.Query) ([]activities.OrderRecord, error) {
	filter := bson.D{}
	if q.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: string(q.Status)})
	}
	if q.CustomerID != "" {
		filter = append(filter, bson.E{Key: "customerId", Value: q.CustomerID})
	}
	if q.After != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: q.After}}})
	}
	cur, err := s.coll.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(q.Limit)))
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	out := []activities.OrderRecord{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	return out, nil
}

var (
	_ activities.OrderStore = (*Orders)(nil)
	_ orders.Lister         = (*Orders)(nil)
)
