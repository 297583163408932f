// Package telemetry sets up OpenTelemetry tracing for a process: a tracer provider exporting over OTLP
// (or what the standard OTEL_* variables choose), the W3C trace-context and baggage propagator, and a
// resource naming the service. The adapters (HTTP, Temporal, RabbitMQ, the payment client) take the
// global provider and propagator that Setup installs.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync/atomic"

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace/noop"
)

// Namespace is the service.namespace of every process of the shop; service.name is the role.
const Namespace = "order-saga"

// Propagator is the W3C trace context (traceparent, tracestate) and baggage: what the services read
// from and write into HTTP headers, Temporal headers and AMQP message headers.
var Propagator propagation.TextMapPropagator = propagation.NewCompositeTextMapPropagator(
	propagation.TraceContext{}, propagation.Baggage{})

// recording tells the HTTP middleware whether Setup installed a recording provider: while it did not,
// requests skip the span machinery and only pass the caller's trace context on.
var recording atomic.Bool

// Tracing is a process's tracing set-up; Shutdown flushes what is still buffered.
type Tracing struct {
	provider *sdktrace.TracerProvider // nil while tracing is off
	// Exporter says what the spans go to: "otlp", "console", or "" while tracing is off.
	Exporter string
}

// Enabled tells whether spans are recorded and exported.
func (t *Tracing) Enabled() bool { return t.provider != nil }

// Shutdown exports the spans still buffered and stops the exporter; ctx bounds how long that takes.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t.provider == nil {
		return nil
	}
	if err := t.provider.Shutdown(ctx); err != nil {
		return fmt.Errorf("tracing shutdown: %w", err)
	}
	return nil
}

// Setup installs the propagator and, when tracing is configured, a tracer provider for service (the
// resource's service.name, unless OTEL_SERVICE_NAME says otherwise) as OpenTelemetry's globals.
//
// Tracing is on when OTEL_TRACES_EXPORTER names an exporter other than "none" ("otlp", "console",
// "zipkin"), or when it is unset and an OTLP endpoint is (OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). OTEL_EXPORTER_ZIPKIN_ENDPOINT adds a Zipkin exporter beside
// that one (the local stack's trace UI, see README). Otherwise, or with OTEL_SDK_DISABLED=true, the
// global tracer provider stays a no-op one: no span is recorded, but an incoming traceparent is still
// passed on (to Temporal, to the events), so a caller's own trace carries through a service that does
// not record. (The specification's default exporter is OTLP to localhost; a service started without
// a collector would otherwise record every span and fail to send it every few seconds.) Export
// failures go to log.
func Setup(ctx context.Context, service string, log *slog.Logger) (*Tracing, error) {
	otel.SetTextMapPropagator(Propagator)
	exporters, names, err := newExporters(ctx)
	if err != nil {
		return nil, err
	}
	if len(exporters) == 0 {
		otel.SetTracerProvider(noop.NewTracerProvider())
		recording.Store(false)
		return &Tracing{}, nil
	}
	res, err := serviceResource(ctx, service)
	if err != nil {
		return nil, err
	}
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		log.Warn("opentelemetry", "error", err)
	}))
	// The batcher reads OTEL_BSP_* (delay, queue and batch sizes), the sampler OTEL_TRACES_SAMPLER.
	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	for _, e := range exporters {
		opts = append(opts, sdktrace.WithBatcher(e))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	otel.SetTracerProvider(tp)
	recording.Store(true)
	return &Tracing{provider: tp, Exporter: strings.Join(names, ",")}, nil
}

// newExporters returns the exporters the variables ask for (none when tracing is off) and their names.
func newExporters(ctx context.Context) ([]sdktrace.SpanExporter, []string, error) {
	if disabled, _ := strconv.ParseBool(os.Getenv("OTEL_SDK_DISABLED")); disabled {
		return nil, nil, nil
	}
	var exporters []sdktrace.SpanExporter
	var names []string
	name := exporterName()
	if name != "" && name != "none" {
		e, err := autoexport.NewSpanExporter(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("tracing exporter %q (OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_*): %w", name, err)
		}
		exporters, names = append(exporters, e), append(names, name)
	}
	if os.Getenv(zipkinEndpointEnv) != "" && name != "zipkin" {
		e, err := newZipkinExporter(ctx)
		if err != nil {
			return nil, nil, err
		}
		exporters, names = append(exporters, e), append(names, "zipkin")
	}
	return exporters, names, nil
}

// exporterName is OTEL_TRACES_EXPORTER, or "otlp" when it is unset and an OTLP endpoint is set
// (autoexport's default), or "" when neither is.
func exporterName() string {
	name := strings.TrimSpace(os.Getenv("OTEL_TRACES_EXPORTER"))
	if name == "" && (os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "") {
		return "otlp"
	}
	return name
}

// serviceResource names the process: service.name is its role (orders, inventory, …), in
// service.namespace order-saga; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over both.
func serviceResource(ctx context.Context, service string) (*resource.Resource, error) {
	fromEnv, err := resource.New(ctx, resource.WithFromEnv(), resource.WithTelemetrySDK(), resource.WithHost(), resource.WithProcessPID())
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("tracing resource: %w", err)
	}
	own := resource.NewSchemaless(semconv.ServiceName(service), semconv.ServiceNamespace(Namespace))
	res, err := resource.Merge(own, fromEnv)
	if err != nil {
		return nil, fmt.Errorf("tracing resource: %w", err)
	}
	return res, nil
}
