package workflows_test

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.temporal.io/sdk/interceptor"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/order-saga/shop/internal/temporal"
	"github.com/order-saga/shop/workflows"
)

// TestReplayRecordedHistories replays every recorded history (testdata/, see
// record_histories_test.go) against the current saga, with and without the OpenTelemetry tracing
// interceptor every worker carries (recording spans): histories recorded before tracing existed
// replay with it. A failure means a change would break sagas already running: put it behind
// workflow.GetVersion instead.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 10, "the recorded histories are missing")
	logger := tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))

	spans := tracetest.NewSpanRecorder()
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)))
	t.Cleanup(func() { otel.SetTracerProvider(prev) })
	tracing, err := temporal.TracingInterceptor()
	require.NoError(t, err)

	for _, tc := range []struct {
		name         string
		interceptors []interceptor.WorkerInterceptor
	}{
		{name: "plain"},
		{name: "traced", interceptors: []interceptor.WorkerInterceptor{tracing}},
	} {
		for _, file := range files {
			t.Run(tc.name+"/"+filepath.Base(file), func(t *testing.T) {
				replayer, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{Interceptors: tc.interceptors})
				require.NoError(t, err)
				workflows.Register(replayer)
				require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(logger, file))
			})
		}
	}
	require.NotEmpty(t, spans.Ended(), "the traced replays ran through the interceptor")
}
