package orders

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/order-saga/shop/domain"
)

// Item asks for a quantity of one product.
type Item struct {
	ProductCode string
	Quantity    int64
}

// PlaceOrder is a customer's order as submitted.
type PlaceOrder struct {
	CustomerID string
	Items      []Item
	// PaymentToken may be empty: the saga uses its default token.
	PaymentToken string
	// IdempotencyKey may be empty: then every submission is a new order.
	IdempotencyKey string
}

// Placement is an accepted order, handed to its saga: the submission under its id and time.
type Placement struct {
	OrderID      string
	CustomerID   string
	Items        []Item
	PaymentToken string
	CreatedAt    time.Time
}

// Placed is the answer to a submission: the order, and whether its saga has decided (CONFIRMED,
// REJECTED, FAILED, CANCELLED, NEEDS_ATTENTION or later) within the wait.
type Placed struct {
	Order   Order
	Decided bool
	// Unlisted is why an undecided order could not be stored for listings (nil when it was, or when
	// it was decided): it runs on all the same, and GET answers it from its saga.
	Unlisted error
}

// listingWriteBound bounds the store write of an undecided order, which outlives the request.
const listingWriteBound = 5 * time.Second

// Place validates a submission (domain.NewOrder is the rule set), starts its saga and waits a bounded
// time for the decision.
//
// With an Idempotency-Key, scoped to the customer: a key seen with the same request (the same
// domain.OrderFingerprint) stands for the same order, answered from the order store once the order is
// final (however long ago its saga ended) and otherwise by joining its saga; a key seen with another
// request is domain.ErrIdempotencyKeyReused, which names no order.
func (s *Service) Place(ctx context.Context, cmd PlaceOrder) (Placed, error) {
	p := Placement{
		OrderID: s.cfg.NewID(), CustomerID: cmd.CustomerID, Items: cmd.Items, PaymentToken: cmd.PaymentToken,
		CreatedAt: s.cfg.Now().UTC().Truncate(time.Millisecond), // what BSON dates keep
	}
	lines := domainLines(cmd.Items)
	if err := validate(p, lines); err != nil {
		return Placed{}, err
	}
	if cmd.IdempotencyKey != "" {
		fp := domain.OrderFingerprint(cmd.CustomerID, cmd.PaymentToken, lines)
		orderID, repeat, err := s.keys.OrderFor(ctx, cmd.CustomerID, cmd.IdempotencyKey, fp, p.OrderID)
		if err != nil {
			return Placed{}, fmt.Errorf("place order: %w", err)
		}
		p.OrderID = orderID
		if repeat {
			o, err := s.p.Store.Get(ctx, orderID)
			switch {
			case err == nil && o.Status.Terminal():
				return Placed{Order: o, Decided: true}, nil
			case err != nil && !errors.Is(err, domain.ErrNotFound):
				return Placed{}, fmt.Errorf("place order %s again: %w", orderID, err)
			}
		}
	}
	o, decided, err := s.p.Sagas.Start(ctx, p, s.cfg.DecisionWait)
	if err != nil {
		return Placed{}, fmt.Errorf("place order %s: %w", p.OrderID, err)
	}
	if o.OrderID == "" { // its saga has not answered within the wait
		o = pending(p)
	}
	placed := Placed{Order: o, Decided: decided}
	if !decided {
		// The saga stores an order from its first decision on (see stored), so an order still undecided
		// is stored here, as last known, for listings to show it from this answer on. A store never
		// moves an order back, so this cannot undo a later transition the saga stored meanwhile.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), listingWriteBound)
		defer cancel()
		if err := s.p.Store.Save(ctx, o); err != nil {
			placed.Unlisted = fmt.Errorf("store undecided order %s: %w", o.OrderID, err)
		}
	}
	return placed, nil
}

// pending is what an undecided order is known to be before its saga answers: its lines as submitted
// (unpriced until reserved), as the saga's own record keeps them, and the time it was accepted (for a
// saga joined by an Idempotency-Key, the time of this request).
func pending(p Placement) Order {
	o := Order{OrderID: p.OrderID, CustomerID: p.CustomerID, Status: domain.StatusPending,
		Lines: make([]Line, len(p.Items)), Steps: []Step{}, CreatedAt: p.CreatedAt, UpdatedAt: p.CreatedAt}
	for i, it := range p.Items {
		o.Lines[i] = Line{ProductCode: it.ProductCode, Quantity: it.Quantity}
	}
	return o
}

// validate checks the payment token, then the order (domain.NewOrder), listing every bad field in one
// error.
func validate(p Placement, lines []domain.OrderLine) error {
	var v domain.ValidationError
	domain.ValidatePaymentToken(&v, p.PaymentToken)
	_, err := domain.NewOrder(p.OrderID, p.CustomerID, lines)
	var invalid *domain.ValidationError
	if errors.As(err, &invalid) {
		for _, f := range invalid.Fields {
			v.Add(f.Field, "%s", f.Message)
		}
		v.Omitted += invalid.Omitted
	} else if err != nil {
		return err
	}
	return v.Err()
}

func domainLines(items []Item) []domain.OrderLine {
	lines := make([]domain.OrderLine, len(items))
	for i, it := range items {
		lines[i] = domain.OrderLine{ProductCode: it.ProductCode, Quantity: it.Quantity}
	}
	return lines
}
