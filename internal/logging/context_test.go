package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/internal/logging"
)

func TestLoggerFromContext(t *testing.T) {
	onCtx := slog.New(slog.NewJSONHandler(io.Discard, nil))
	fallback := slog.New(slog.NewJSONHandler(io.Discard, nil))

	tests := []struct {
		name     string
		ctx      context.Context
		fallback *slog.Logger
		want     *slog.Logger
	}{
		{"logger on context", logging.WithLogger(context.Background(), onCtx), fallback, onCtx},
		{"none: fallback", context.Background(), fallback, fallback},
		{"none, no fallback: default", context.Background(), nil, slog.Default()},
		{"nil logger on context: fallback", logging.WithLogger(context.Background(), nil), fallback, fallback},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Same(t, tt.want, logging.Logger(tt.ctx, tt.fallback))
		})
	}
}

func TestNewTagsService(t *testing.T) {
	var buf bytes.Buffer
	logging.New(&buf, "orders", slog.LevelInfo).Info("hello", "orderId", "o-1")
	var line map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &line))
	require.Equal(t, "orders", line["service"])
	require.Equal(t, "o-1", line["orderId"])
	require.Equal(t, "hello", line["msg"])
}
