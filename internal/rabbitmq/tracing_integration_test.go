//go:build integration

package rabbitmq_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/rabbitmq"
	"github.com/order-saga/shop/internal/telemetry"
	"github.com/order-saga/shop/internal/testenv"
)

// TestEventsCarryTheirTraceThroughTheBroker publishes through the real broker: an event goes out in
// the trace of the context it is published in, and an event that kept the trace of the change that
// made it (relayed from an outbox) goes out in that trace, whatever the relay's context holds.
func TestEventsCarryTheirTraceThroughTheBroker(t *testing.T) {
	otel.SetTextMapPropagator(telemetry.Propagator) // with no recording provider: the ids pass through
	const (
		requestTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
		relayTrace   = "0af7651916cd43dd8448eb211c80319c"
	)
	remote := func(traceID, spanID string) context.Context {
		return propagation.TraceContext{}.Extract(context.Background(),
			propagation.MapCarrier{"traceparent": "00-" + traceID + "-" + spanID + "-01"})
	}
	tests := []struct {
		name      string
		ctx       context.Context
		kept      map[string]string
		wantTrace string
	}{
		{name: "published at once: its context's trace", ctx: remote(requestTrace, "00f067aa0ba902b7"), wantTrace: requestTrace},
		{name: "relayed from the outbox: the trace it kept", ctx: remote(relayTrace, "b7ad6b7169203331"),
			kept: map[string]string{"traceparent": "00-" + requestTrace + "-00f067aa0ba902b7-01"}, wantTrace: requestTrace},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	exchange := testenv.UniqueName(t, "test.events")
	deliveries := testenv.Listen(t, exchange, "inventory.#")
	p := newPublisher(ctx, t, exchange)

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.True(t, trace.SpanContextFromContext(tt.ctx).IsValid())
			ev := domain.Event{ID: "stock/A#" + string(rune('1'+i)), Type: domain.EventStockAdjusted, OccurredAt: time.Now(), Trace: tt.kept}
			require.NoError(t, rabbitmq.Events{Publisher: p}.Publish(tt.ctx, ev))
			d := receive(t, deliveries)
			require.Equal(t, ev.ID, d.MessageId)
			require.Regexp(t, "^00-"+tt.wantTrace+"-[0-9a-f]{16}-01$", d.Headers["traceparent"])
			require.NotContains(t, string(d.Body), "traceparent", "the trace is not part of the envelope")
		})
	}
}
