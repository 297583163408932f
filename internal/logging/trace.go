package logging

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// Keys of the trace ids in a log record: OpenTelemetry's log data model names them so, and a trace in
// the tracing UI and the order's log records in Elasticsearch join on trace_id.
const (
	TraceIDKey = "trace_id"
	SpanIDKey  = "span_id"
)

// WithTrace wraps h so that every record logged with a context holding a span (the *Context methods:
// InfoContext, …) carries that span's trace_id and span_id. A record without one is passed on as it is.
// The ids are there whether or not the span is recorded: a caller's traceparent passed through a
// service that does not export still joins its logs to the caller's trace.
func WithTrace(h slog.Handler) slog.Handler {
	return traceHandler{inner: h}
}

type traceHandler struct {
	inner slog.Handler
}

func (h traceHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

func (h traceHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r = r.Clone() // the caller's record may be handed to other handlers too
		r.AddAttrs(slog.String(TraceIDKey, sc.TraceID().String()), slog.String(SpanIDKey, sc.SpanID().String()))
	}
	return h.inner.Handle(ctx, r)
}

func (h traceHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return traceHandler{inner: h.inner.WithAttrs(attrs)}
}

func (h traceHandler) WithGroup(name string) slog.Handler {
	return traceHandler{inner: h.inner.WithGroup(name)}
}
