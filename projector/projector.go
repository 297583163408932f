// Package projector keeps the search read model (Elasticsearch's products and orders indices) from the
// events on RabbitMQ. Each event carries the version of the change it reports (a ledger sequence, a
// saga step's Seq, a product's update time), and the read model keeps the newest, so the projector
// may see an event twice, late or out of order and still leave every document right.
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

// ReadModel is where the projections go.
type ReadModel interface {
	ApplyProduct(ctx context.Context, d inventory.ProductData) error
	ApplyStock(ctx context.Context, d inventory.MovementData) error
	ApplyOrder(ctx context.Context, r orders.Order) error
}

// envelope is domain.Event with its data left raw until the type says what it is.
type envelope struct {
	ID   string          `json:"id"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// Apply projects one event body. A body that cannot be read, or data that is not what its type
// promises, is refused for good (ErrPoison); an error of the read model is
// returned as is, to be tried again. Events the read model does not need are acknowledged.
func Apply(ctx context.Context, rm ReadModel, body []byte) error {
	var e envelope
	if err := json.Unmarshal(body, &e); err != nil || e.Type == "" {
		return fmt.Errorf("not an event envelope (%v): %w", err, ErrPoison)
	}
	switch {
	case e.Type == domain.EventProductCreated || e.Type == domain.EventProductUpdated:
		var d inventory.ProductData
		if err := decode(e, &d); err != nil {
			return err
		}
		if d.ProductCode == "" || d.UpdatedAt.IsZero() {
			return fmt.Errorf("event %s: product code and updatedAt are required: %w", e.ID, ErrPoison)
		}
		return rm.ApplyProduct(ctx, d)
	case e.Type == domain.EventStockLow:
		return nil // says nothing the stock events do not
	case strings.HasPrefix(e.Type, "inventory.stock."):
		var d inventory.MovementData
		if err := decode(e, &d); err != nil {
			return err
		}
		if d.ProductCode == "" || d.Seq <= 0 {
			return fmt.Errorf("event %s: product code and seq are required: %w", e.ID, ErrPoison)
		}
		return rm.ApplyStock(ctx, d)
	case strings.HasPrefix(e.Type, "order."):
		var r orders.Order
		if err := decode(e, &r); err != nil {
			return err
		}
		if r.OrderID == "" || r.Seq <= 0 {
			return fmt.Errorf("event %s: order id and seq are required: %w", e.ID, ErrPoison)
		}
		return rm.ApplyOrder(ctx, r)
	}
	return nil
}

func decode(e envelope, into any) error {
	if err := json.Unmarshal(e.Data, into); err != nil {
		return fmt.Errorf("event %s (%s): data: %v: %w", e.ID, e.Type, err, ErrPoison)
	}
	return nil
}

// Handler is the projector's handler of event bodies: Apply, with errors of the read model that
// permanent says will never pass (a document Elasticsearch refuses, say) marked ErrPoison too.
func Handler(rm ReadModel, permanent func(error) bool) func(ctx context.Context, body []byte) error {
	return func(ctx context.Context, body []byte) error {
		err := Apply(ctx, rm, body)
		if err != nil && permanent(err) {
			return fmt.Errorf("%w: %w", err, ErrPoison)
		}
		return err
	}
}
