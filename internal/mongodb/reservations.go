package mongodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
)

// Reservations stores the inventory's record of each order in the collection reservations, _id the
// order id.
type Reservations struct {
	coll  *mongo.Collection
	locks *keyLocks
}

// NewReservations returns the reservation records in db.
func NewReservations(db *mongo.Database) *Reservations {
	return &Reservations{coll: db.Collection("reservations"), locks: newKeyLocks(256)}
}

type reservedLineDoc struct {
	ProductCode    string `bson:"productCode"`
	Quantity       int64  `bson:"quantity"`
	UnitPriceMinor int64  `bson:"unitPriceMinor"`
	Currency       string `bson:"currency,omitempty"`
	Seq            int64  `bson:"seq,omitempty"` // the line's reservation entry; absent in older records
}

type rejectionDoc struct {
	Reason      string `bson:"reason"`
	ProductCode string `bson:"productCode"`
	Requested   int64  `bson:"requested"`
	Available   int64  `bson:"available"`
}

type reservationDoc struct {
	OrderID   string            `bson:"_id"`
	State     string            `bson:"state"`
	Lines     []reservedLineDoc `bson:"lines"`
	Rejection *rejectionDoc     `bson:"rejection,omitempty"`
	Restocked bool              `bson:"restocked,omitempty"`
	UpdatedAt time.Time         `bson:"updatedAt"`
}

func toReservationDoc(r inventory.Reservation) reservationDoc {
	d := reservationDoc{OrderID: r.OrderID, State: string(r.State), Restocked: r.Restocked, UpdatedAt: r.UpdatedAt.UTC(), Lines: []reservedLineDoc{}}
	for _, l := range r.Lines {
		d.Lines = append(d.Lines, reservedLineDoc{ProductCode: l.ProductCode, Quantity: l.Quantity, UnitPriceMinor: l.UnitPrice.Minor, Currency: l.UnitPrice.Currency, Seq: l.Seq})
	}
	if r.Rejection != nil {
		d.Rejection = &rejectionDoc{Reason: r.Rejection.Reason, ProductCode: r.Rejection.ProductCode, Requested: r.Rejection.Requested, Available: r.Rejection.Available}
	}
	return d
}

func (d reservationDoc) reservation() inventory.Reservation {
	r := inventory.Reservation{OrderID: d.OrderID, State: inventory.ReservationState(d.State), Restocked: d.Restocked, UpdatedAt: d.UpdatedAt}
	for _, l := range d.Lines {
		r.Lines = append(r.Lines, inventory.ReservedLine{ProductCode: l.ProductCode, Quantity: l.Quantity, UnitPrice: domain.Money{Minor: l.UnitPriceMinor, Currency: l.Currency}, Seq: l.Seq})
	}
	if d.Rejection != nil {
		r.Rejection = &inventory.Rejection{Reason: d.Rejection.Reason, ProductCode: d.Rejection.ProductCode, Requested: d.Rejection.Requested, Available: d.Rejection.Available}
	}
	return r
}

// Insert implements inventory.Reservations.
func (s *Reservations) Insert(ctx context.Context, r inventory.Reservation) error {
	return insertNew(ctx, s.coll, toReservationDoc(r), "reservation of "+r.OrderID)
}

// Get implements inventory.Reservations.
func (s *Reservations) Get(ctx context.Context, orderID string) (inventory.Reservation, error) {
	d, err := findByID[reservationDoc](ctx, s.coll, orderID, "reservation of "+orderID)
	return d.reservation(), err
}

// Save implements inventory.Reservations: read, check that the record moves forward, then replace,
// by _id (FerretDB scans a collection for any other filter). The saves of one order are serialised
// within the process, which is where a late attempt of a step runs beside the next one (the inventory
// worker); two processes saving one order at the same instant could still both pass the check.
func (s *Reservations) Save(ctx context.Context, r inventory.Reservation) error {
	defer s.locks.lock(r.OrderID)()
	cur, err := s.Get(ctx, r.OrderID)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return nil // as ReplaceOne of a missing _id: nothing to save over
	case err != nil:
		return fmt.Errorf("save reservation of %s: %w", r.OrderID, err)
	case !cur.State.MayBecome(r.State):
		return fmt.Errorf("save reservation of %s: %s cannot become %s: %w", r.OrderID, cur.State, r.State, domain.ErrConflict)
	}
	return replaceByID(ctx, s.coll, r.OrderID, toReservationDoc(r), "reservation of "+r.OrderID)
}

var _ inventory.Reservations = (*Reservations)(nil)
