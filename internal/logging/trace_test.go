package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"github.com/order-saga/shop/internal/logging"
)

func TestRecordsCarryTheSpanOfTheirContext(t *testing.T) {
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c},
		SpanID:  trace.SpanID{0xb7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, 0x31},
	})
	tests := []struct {
		name                string
		ctx                 context.Context
		log                 func(l *slog.Logger, ctx context.Context)
		wantTrace, wantSpan any
	}{
		{name: "a span in the context", ctx: trace.ContextWithSpanContext(context.Background(), sc),
			log:       func(l *slog.Logger, ctx context.Context) { l.InfoContext(ctx, "reserved", "orderId", "o-1") },
			wantTrace: "0af7651916cd43dd8448eb211c80319c", wantSpan: "b7ad6b7169203331"},
		{name: "a logger with attributes keeps them and adds the ids", ctx: trace.ContextWithSpanContext(context.Background(), sc),
			log: func(l *slog.Logger, ctx context.Context) {
				l.With("workflowId", "order-o-1").InfoContext(ctx, "reserved", "orderId", "o-1")
			},
			wantTrace: "0af7651916cd43dd8448eb211c80319c", wantSpan: "b7ad6b7169203331"},
		{name: "no span: no ids", ctx: context.Background(),
			log: func(l *slog.Logger, ctx context.Context) { l.InfoContext(ctx, "reserved", "orderId", "o-1") }},
		{name: "no context: no ids", ctx: context.Background(),
			log: func(l *slog.Logger, _ context.Context) { l.Info("reserved", "orderId", "o-1") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.log(logging.New(&buf, "inventory", slog.LevelInfo), tt.ctx)
			var line map[string]any
			require.NoError(t, json.Unmarshal(buf.Bytes(), &line))
			require.Equal(t, tt.wantTrace, line[logging.TraceIDKey])
			require.Equal(t, tt.wantSpan, line[logging.SpanIDKey])
			require.Equal(t, "o-1", line["orderId"])
			require.Equal(t, "inventory", line["service"])
		})
	}
}
