// Package projector keeps the search read model (Elasticsearch's products and orders indices) from the
// events on RabbitMQ. Each event carries the version of the change it reports (a ledger sequence, a
// saga step's Seq, a product's update time), and the read model keeps the newest, so the projector
// may see an event twice, late or out of order and still leave every document right; that is also
// why it may apply a batch of events in one go, in any order.
package projector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
	"github.com/order-saga/shop/orders"
)

// ErrPoison marks an event the projector can never apply, however often it is offered (a body that is
// not an event, data that is not what its type promises): the consumer must set it aside, not retry it.
var ErrPoison = errors.New("poison event")

// Bindings are the events the read model needs.
var Bindings = []string{"inventory.product.*", "inventory.stock.*", "order.*"}

// Change is what one event changes in the read model: exactly one of its fields is set.
type Change struct {
	Product *inventory.ProductData  // a product's descriptive half, versioned by its update time
	Stock   *inventory.MovementData // a product's stock half, versioned by the ledger sequence
	Order   *orders.Order           // an order's transition, versioned by the saga step's Seq
}

// ReadModel is where the projections go. Apply applies changes as a batch and answers one error per
// change, nil when the read model holds that change or a newer one. Changes carry their versions, so
// their order in the batch does not matter.
type ReadModel interface {
	Apply(ctx context.Context, changes []Change) []error
}

// envelope is domain.Event with its data left raw until the type says what it is.
type envelope struct {
	ID   string          `json:"id"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// Apply projects a batch of event bodies and answers one error per body. A body that cannot be
// read, or data that is not what its type promises, is refused for good (ErrPoison); an error of the
// read model is returned as is, to be tried again. Events the read model does not need are nil.
func Apply(ctx context.Context, rm ReadModel, bodies [][]byte) []error {
	errs := make([]error, len(bodies))
	var changes []Change
	var from []int // from[k] is the body of changes[k]
	for i, body := range bodies {
		c, needed, err := changeOf(body)
		if err != nil || !needed {
			errs[i] = err
			continue
		}
		changes, from = append(changes, c), append(from, i)
	}
	if len(changes) == 0 {
		return errs
	}
	for k, err := range rm.Apply(ctx, changes) {
		errs[from[k]] = err
	}
	return errs
}

// changeOf reads one event body: its change, or needed false for an event the read model does not
// need.
func changeOf(body []byte) (c Change, needed bool, err error) {
	var e envelope
	if err := json.Unmarshal(body, &e); err != nil || e.Type == "" {
		return c, false, fmt.Errorf("not an event envelope (%v): %w", err, ErrPoison)
	}
	switch {
	case e.Type == domain.EventProductCreated || e.Type == domain.EventProductUpdated:
		var d inventory.ProductData
		if err := decode(e, &d); err != nil {
			return c, false, err
		}
		if d.ProductCode == "" || d.UpdatedAt.IsZero() {
			return c, false, fmt.Errorf("event %s: product code and updatedAt are required: %w", e.ID, ErrPoison)
		}
		return Change{Product: &d}, true, nil
	case e.Type == domain.EventStockLow:
		return c, false, nil // says nothing the stock events do not
	case strings.HasPrefix(e.Type, "inventory.stock."):
		var d inventory.MovementData
		if err := decode(e, &d); err != nil {
			return c, false, err
		}
		if d.ProductCode == "" || d.Seq <= 0 {
			return c, false, fmt.Errorf("event %s: product code and seq are required: %w", e.ID, ErrPoison)
		}
		return Change{Stock: &d}, true, nil
	case strings.HasPrefix(e.Type, "order."):
		var r orders.Order
		if err := decode(e, &r); err != nil {
			return c, false, err
		}
		if r.OrderID == "" || r.Seq <= 0 {
			return c, false, fmt.Errorf("event %s: order id and seq are required: %w", e.ID, ErrPoison)
		}
		return Change{Order: &r}, true, nil
	}
	return c, false, nil
}

func decode(e envelope, into any) error {
	if err := json.Unmarshal(e.Data, into); err != nil {
		return fmt.Errorf("event %s (%s): data: %v: %w", e.ID, e.Type, err, ErrPoison)
	}
	return nil
}

// Handler is the projector's handler of batches of event bodies: Apply, with errors of the read
// model that permanent says will never pass (a document Elasticsearch refuses, say) marked ErrPoison
// too.
func Handler(rm ReadModel, permanent func(error) bool) func(ctx context.Context, bodies [][]byte) []error {
	return func(ctx context.Context, bodies [][]byte) []error {
		errs := Apply(ctx, rm, bodies)
		for i, err := range errs {
			if err != nil && !errors.Is(err, ErrPoison) && permanent(err) {
				errs[i] = fmt.Errorf("%w: %w", err, ErrPoison)
			}
		}
		return errs
	}
}
