//go:build integration

package mongodb_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/internal/telemetry"
	"github.com/order-saga/shop/internal/testenv"
)

// TestOutboxKeepsTheTraceOfTheChange: an event kept in the outbox keeps the trace context of the
// request that made it, so the relay can publish it in that trace; an event kept outside any trace
// keeps none.
func TestOutboxKeepsTheTraceOfTheChange(t *testing.T) {
	otel.SetTextMapPropagator(telemetry.Propagator)
	const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	inRequest := otel.GetTextMapPropagator().Extract(context.Background(), propagation.MapCarrier{"traceparent": traceparent})
	tests := []struct {
		name string
		ctx  context.Context
		want map[string]string
	}{
		{name: "made in a request's trace", ctx: inRequest, want: map[string]string{"traceparent": traceparent}},
		{name: "made outside any trace", ctx: context.Background(), want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outbox := mongodb.NewOutbox(testenv.Database(t))
			ev := domain.Event{ID: "stock/A#7", Type: domain.EventStockAdjusted, OccurredAt: time.Now().UTC(), Data: map[string]any{"productCode": "A"}}
			require.NoError(t, outbox.Add(tt.ctx, ev))
			pending, err := outbox.Pending(context.Background(), 10)
			require.NoError(t, err)
			require.Len(t, pending, 1)
			require.Equal(t, tt.want, pending[0].Trace)
		})
	}
}
