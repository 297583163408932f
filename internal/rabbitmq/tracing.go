package rabbitmq

import (
	"context"
	"fmt"

	amqp "github.com/rabbitmq/amqp091-go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// tracerName names the spans of this package in the tracing UI.
const tracerName = "github.com/order-saga/shop/internal/rabbitmq"

// headerCarrier lets OpenTelemetry's propagator read and write W3C trace context (traceparent,
// tracestate, baggage) in an AMQP message's headers.
type headerCarrier amqp.Table

func (c headerCarrier) Get(key string) string {
	v, _ := c[key].(string)
	return v
}

func (c headerCarrier) Set(key, value string) { c[key] = value }

func (c headerCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

var _ propagation.TextMapCarrier = headerCarrier{}

// startPublish starts the producer span of one publish, a child of ctx's span (the request's, the
// saga activity's), and returns the message headers that carry it: every consumer of the event sees
// the trace of what caused it.
func startPublish(ctx context.Context, exchange string, msg Message) (context.Context, trace.Span, amqp.Table) {
	ctx, span := otel.Tracer(tracerName).Start(ctx, "publish "+msg.RoutingKey,
		trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(
			semconv.MessagingSystemRabbitMQ,
			semconv.MessagingOperationTypeSend,
			semconv.MessagingOperationName("publish"),
			semconv.MessagingDestinationName(exchange),
			semconv.MessagingRabbitMQDestinationRoutingKey(msg.RoutingKey),
			semconv.MessagingMessageID(msg.ID),
		))
	headers := amqp.Table{}
	otel.GetTextMapPropagator().Inject(ctx, headerCarrier(headers))
	return ctx, span, headers
}

// startProcess starts the consumer span of handling one delivery, a child of the trace its headers
// carry (the publisher's span), so a consumer's work on an event sits in the trace of the request
// that caused it. Without headers it is a trace of its own.
func startProcess(ctx context.Context, queue string, d amqp.Delivery) (context.Context, trace.Span) {
	if d.Headers != nil {
		ctx = otel.GetTextMapPropagator().Extract(ctx, headerCarrier(d.Headers))
	}
	return otel.Tracer(tracerName).Start(ctx, "process "+d.RoutingKey,
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			semconv.MessagingSystemRabbitMQ,
			semconv.MessagingOperationTypeProcess,
			semconv.MessagingOperationName("process"),
			semconv.MessagingDestinationName(d.Exchange),
			semconv.MessagingRabbitMQDestinationRoutingKey(d.RoutingKey),
			semconv.MessagingMessageID(d.MessageId),
			semconv.MessagingConsumerGroupName(queue),
		))
}

// endSpan ends span, marking it failed when err is not nil.
func endSpan(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, fmt.Sprint(err))
	}
	span.End()
}

// startBatch starts the consumer span of each delivery of a batch (startProcess) and answers the
// context its handler works in: the delivery's own for a batch of one; for more, a span of the
// batch's own, linked to each delivery's. end ends the batch's span and any delivery's still open
// (ending a span twice does nothing).
func startBatch(ctx context.Context, queue string, batch []amqp.Delivery) (hctx context.Context, spans []trace.Span, end func()) {
	spans = make([]trace.Span, len(batch))
	links := make([]trace.Link, len(batch))
	for i, d := range batch {
		var dctx context.Context
		dctx, spans[i] = startProcess(ctx, queue, d)
		links[i] = trace.Link{SpanContext: spans[i].SpanContext()}
		if i == 0 {
			hctx = dctx
		}
	}
	endAll := func() {
		for _, s := range spans {
			s.End()
		}
	}
	if len(batch) == 1 {
		return hctx, spans, endAll
	}
	hctx, span := otel.Tracer(tracerName).Start(ctx, "process batch",
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithLinks(links...),
		trace.WithAttributes(
			semconv.MessagingSystemRabbitMQ,
			semconv.MessagingOperationTypeProcess,
			semconv.MessagingOperationName("process"),
			semconv.MessagingBatchMessageCount(len(batch)),
			semconv.MessagingConsumerGroupName(queue),
		))
	return hctx, spans, func() { span.End(); endAll() }
}
