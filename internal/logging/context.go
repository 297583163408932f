package logging

import (
	"context"
	"log/slog"
)

// ctxKey is private so that only this package reads or writes the logger on a context.
type ctxKey struct{}

// WithLogger returns ctx carrying l, so that code further down (an activity called through the worker's
// logging interceptor, say) logs with the fields its caller already knows (orderId, workflowId, …).
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// FromContext returns the logger put on ctx by WithLogger, if any.
func FromContext(ctx context.Context) (*slog.Logger, bool) {
	l, ok := ctx.Value(ctxKey{}).(*slog.Logger)
	return l, ok && l != nil
}

// Logger returns the logger on ctx, or fallback when there is none (a test calling an activity
// directly, for instance). A nil fallback yields slog.Default().
func Logger(ctx context.Context, fallback *slog.Logger) *slog.Logger {
	if l, ok := FromContext(ctx); ok {
		return l
	}
	if fallback != nil {
		return fallback
	}
	return slog.Default()
}
