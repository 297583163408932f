package rabbitmq

import (
	"context"
	"errors"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/order-saga/shop/internal/telemetry"
)

func recordSpans(t *testing.T) *tracetest.SpanRecorder {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	prevTP, prevProp := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	otel.SetTextMapPropagator(telemetry.Propagator)
	t.Cleanup(func() { otel.SetTracerProvider(prevTP); otel.SetTextMapPropagator(prevProp) })
	return rec
}

// TestTraceTravelsInTheMessageHeaders: the publish is a producer span of the caller's trace, its
// headers carry it, and the consumer's span is a child of the publish, failed when the handler failed.
func TestTraceTravelsInTheMessageHeaders(t *testing.T) {
	tests := []struct {
		name       string
		handlerErr error
		wantStatus codes.Code
	}{
		{name: "handled", wantStatus: codes.Unset},
		{name: "dead-lettered", handlerErr: ErrReject, wantStatus: codes.Error},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := recordSpans(t)
			ctx, activity := otel.Tracer("test").Start(context.Background(), "RunActivity:ReserveStock")
			msg := Message{ID: "stock/A#2", RoutingKey: "inventory.stock.reserved"}
			_, pub, headers := startPublish(ctx, "ecommerce.events", msg)
			endSpan(pub, nil)
			activity.End()
			require.Contains(t, headers["traceparent"], activity.SpanContext().TraceID().String())

			d := amqp.Delivery{Headers: headers, RoutingKey: msg.RoutingKey, MessageId: msg.ID, Exchange: "ecommerce.events"}
			hctx, proc := startProcess(context.Background(), "search-projector", d)
			require.Equal(t, activity.SpanContext().TraceID(), trace.SpanContextFromContext(hctx).TraceID(), "the handler works in the trace")
			endSpan(proc, tt.handlerErr)

			byName := map[string]sdktrace.ReadOnlySpan{}
			for _, s := range rec.Ended() {
				byName[s.Name()] = s
			}
			p, c := byName["publish inventory.stock.reserved"], byName["process inventory.stock.reserved"]
			require.NotNil(t, p)
			require.NotNil(t, c)
			require.Equal(t, trace.SpanKindProducer, p.SpanKind())
			require.Equal(t, activity.SpanContext().SpanID(), p.Parent().SpanID())
			require.Equal(t, trace.SpanKindConsumer, c.SpanKind())
			require.Equal(t, p.SpanContext().SpanID(), c.Parent().SpanID(), "the consumer's span is the publish's child")
			require.Equal(t, tt.wantStatus, c.Status().Code)
		})
	}
}

func TestDeliveryWithoutHeadersStartsItsOwnTrace(t *testing.T) {
	rec := recordSpans(t)
	_, span := startProcess(context.Background(), "q", amqp.Delivery{RoutingKey: "order.placed"})
	endSpan(span, errors.New("store down"))
	spans := rec.Ended()
	require.Len(t, spans, 1)
	require.False(t, spans[0].Parent().IsValid())
}
