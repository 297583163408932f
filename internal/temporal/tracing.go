package temporal

import (
	"fmt"

	"go.opentelemetry.io/otel"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// TracingInterceptor is the Temporal SDK's OpenTelemetry interceptor, on OpenTelemetry's global
// tracer provider and propagator (internal/telemetry installs them; a no-op provider until then, or
// when tracing is off). On a client it makes a span of starting a workflow, an update or a signal and
// passes the trace in the Temporal headers; on a worker (workers built on such a client inherit it) it
// makes spans of the workflow run, of each activity it schedules (local ones included) and of each
// activity's execution, in the trace of the request that started the workflow. Activities' contexts
// hold their span, so what they publish or call joins that trace. In a workflow it only writes
// headers and starts no span while replaying: the history and its determinism are unchanged.
func TracingInterceptor() (interceptor.Interceptor, error) {
	i, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{
		Tracer:            otel.Tracer("go.temporal.io/sdk"),
		TextMapPropagator: otel.GetTextMapPropagator(),
		// Queries (the API's live status reads them on every GET) would each be a trace of their own.
		DisableQueryTracing: true,
	})
	if err != nil {
		return nil, fmt.Errorf("temporal tracing interceptor: %w", err)
	}
	return i, nil
}
