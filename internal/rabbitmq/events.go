package rabbitmq

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/order-saga/shop/domain"
)

// Events publishes domain events as JSON envelopes, routed by their type.
type Events struct {
	Publisher *Publisher
}

// Publish implements the services' Events port.
func (e Events) Publish(ctx context.Context, ev domain.Event) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode event %s: %w", ev.ID, err)
	}
	return e.Publisher.Publish(ctx, Message{ID: ev.ID, RoutingKey: ev.Type, Type: ev.Type, Timestamp: ev.OccurredAt, Body: body})
}
