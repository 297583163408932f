package telemetry

import (
	"context"
	"fmt"
	"os"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel/exporters/zipkin"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// zipkinEndpointEnv is the specification's variable for where Zipkin spans go, such as
// http://127.0.0.1:9411/api/v2/spans.
const zipkinEndpointEnv = "OTEL_EXPORTER_ZIPKIN_ENDPOINT"

// Zipkin is here for the local stack's trace UI: Jaeger's Go module (which keeps the traces in
// Elasticsearch and serves the query API) carries no UI assets, and Zipkin's server from Maven Central
// does, but it takes no OTLP. (The Go SDK marks its Zipkin exporter deprecated, for removal in 2027;
// it is a module of its own, so it can stay at its last version.)
func init() {
	autoexport.RegisterSpanExporter("zipkin", newZipkinExporter)
}

func newZipkinExporter(context.Context) (sdktrace.SpanExporter, error) {
	url := os.Getenv(zipkinEndpointEnv)
	if url == "" {
		url = "http://localhost:9411/api/v2/spans" // the specification's default
	}
	e, err := zipkin.New(url)
	if err != nil {
		return nil, fmt.Errorf("zipkin exporter (%s=%s): %w", zipkinEndpointEnv, url, err)
	}
	return e, nil
}
