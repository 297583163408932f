package rabbitmq

import (
	"context"
	"encoding/json"
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"

	"github.com/order-saga/shop/domain"
)

// Events publishes domain events as JSON envelopes, routed by their type.
type Events struct {
	Publisher *Publisher
}

// Publish implements the services' Events port. The message goes out in ctx's trace, or, for an event
// that kept the trace of the change that made it (one relayed from an outbox), in that one.
func (e Events) Publish(ctx context.Context, ev domain.Event) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode event %s: %w", ev.ID, err)
	}
	if len(ev.Trace) > 0 {
		ctx = otel.GetTextMapPropagator().Extract(ctx, propagation.MapCarrier(ev.Trace))
	}
	return e.Publisher.Publish(ctx, Message{ID: ev.ID, RoutingKey: ev.Type, Type: ev.Type, Timestamp: ev.OccurredAt, Body: body})
}
