package telemetry

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
)

// otelVars are every variable Setup reads to decide; each case sets them all.
var otelVars = []string{"OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT",
	"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_ZIPKIN_ENDPOINT"}

func TestSetupFollowsTheStandardVariables(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		enabled  bool
		exporter string
		wantErr  bool
	}{
		{name: "nothing set: off, costs nothing", env: nil, enabled: false},
		{name: "an OTLP endpoint: OTLP", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, enabled: true, exporter: "otlp"},
		{name: "a traces endpoint: OTLP", env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, enabled: true, exporter: "otlp"},
		{name: "exporter none wins over an endpoint", env: map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, enabled: false},
		{name: "SDK disabled wins over everything", env: map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_ZIPKIN_ENDPOINT": "http://127.0.0.1:9411/api/v2/spans"}, enabled: false},
		{name: "console", env: map[string]string{"OTEL_TRACES_EXPORTER": "console"}, enabled: true, exporter: "console"},
		{name: "OTLP without an endpoint: the default one", env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, enabled: true, exporter: "otlp"},
		{name: "zipkin alone", env: map[string]string{"OTEL_TRACES_EXPORTER": "zipkin", "OTEL_EXPORTER_ZIPKIN_ENDPOINT": "http://127.0.0.1:9411/api/v2/spans"}, enabled: true, exporter: "zipkin"},
		{name: "a Zipkin endpoint adds Zipkin beside OTLP", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_EXPORTER_ZIPKIN_ENDPOINT": "http://127.0.0.1:9411/api/v2/spans"}, enabled: true, exporter: "otlp,zipkin"},
		{name: "an unknown exporter is an error", env: map[string]string{"OTEL_TRACES_EXPORTER": "carrier-pigeon"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, v := range otelVars {
				t.Setenv(v, tt.env[v])
			}
			tr, err := Setup(context.Background(), "orders", slog.New(slog.NewTextHandler(io.Discard, nil)))
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, tr.Shutdown(context.Background())) })
			require.Equal(t, tt.enabled, tr.Enabled())
			require.Equal(t, tt.exporter, tr.Exporter)

			// Whether or not spans are recorded, a caller's trace is passed on.
			const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
			ctx := otel.GetTextMapPropagator().Extract(context.Background(), propagation.HeaderCarrier(http.Header{"Traceparent": {traceparent}}))
			ctx, span := otel.Tracer("test").Start(ctx, "work")
			require.Equal(t, tt.enabled, span.IsRecording())
			span.End()
			out := propagation.MapCarrier{}
			otel.GetTextMapPropagator().Inject(ctx, out)
			require.Contains(t, out["traceparent"], "0af7651916cd43dd8448eb211c80319c")
		})
	}
}

func TestServiceResourceNamesTheRole(t *testing.T) {
	tests := []struct {
		name, envName, want string
	}{
		{name: "the role", want: "projector"},
		{name: "OTEL_SERVICE_NAME wins", envName: "shop-projector", want: "shop-projector"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("OTEL_SERVICE_NAME", tt.envName)
			res, err := serviceResource(context.Background(), "projector")
			require.NoError(t, err)
			got, ok := res.Set().Value(semconv.ServiceNameKey)
			require.True(t, ok)
			require.Equal(t, tt.want, got.AsString())
			ns, _ := res.Set().Value(semconv.ServiceNamespaceKey)
			require.Equal(t, Namespace, ns.AsString())
		})
	}
}
