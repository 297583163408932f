package logging_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/internal/logging"
)

func TestNewTagsService(t *testing.T) {
	var buf bytes.Buffer
	logging.New(&buf, "orders", slog.LevelInfo).Info("hello", "orderId", "o-1")
	var line map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &line))
	require.Equal(t, "orders", line["service"])
	require.Equal(t, "o-1", line["orderId"])
	require.Equal(t, "hello", line["msg"])
}
