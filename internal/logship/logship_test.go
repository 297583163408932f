package logship

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// counterValue reads a counter of the shipper from reg, so the test also pins the metric's name.
func counterValue(t *testing.T, reg *prometheus.Registry, name, service string) float64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "service" && l.GetValue() == service {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("metric %s{service=%q} not registered", name, service)
	return 0
}

// TestFullBufferDropsAndCounts: with Elasticsearch unreachable nothing leaves the buffer (the shipper
// waits for its index template), so a buffer of 2 keeps 2 records and drops the rest, without ever
// holding up the caller, who still gets every line from the inner handler.
func TestFullBufferDropsAndCounts(t *testing.T) {
	es, err := elasticsearch.NewClient(elasticsearch.Config{Addresses: []string{"http://127.0.0.1:1"}})
	require.NoError(t, err)
	reg := prometheus.NewRegistry()
	var problems bytes.Buffer
	s, err := New(Config{
		Client:     es,
		Service:    "drop-test",
		BufferSize: 2,
		Registerer: reg,
		Problems:   slog.NewJSONHandler(&problems, nil),
	})
	require.NoError(t, err)

	var stdout bytes.Buffer
	log := slog.New(s.Handler(slog.NewJSONHandler(&stdout, nil)))
	for i := range 5 {
		log.Info("record", "i", i)
	}
	require.Equal(t, 5, strings.Count(stdout.String(), "\n"), "the inner handler gets every record")
	require.Equal(t, uint64(3), s.Stats().Dropped)
	require.Equal(t, 3.0, counterValue(t, reg, "shop_log_records_dropped_total", "drop-test"))
	require.Equal(t, 0.0, counterValue(t, reg, "shop_log_records_shipped_total", "drop-test"))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = s.Close(ctx)
	require.Error(t, err, "records were lost, Close must say so")
	require.Contains(t, err.Error(), "2 log records not shipped")
	require.Equal(t, 5.0, counterValue(t, reg, "shop_log_records_dropped_total", "drop-test"))

	log.Info("after close")
	require.Equal(t, 6, strings.Count(stdout.String(), "\n"))
	require.Equal(t, uint64(6), s.Stats().Dropped)
	require.ErrorIs(t, s.Flush(ctx), ErrClosed)

	// The shipper's own trouble went to the plain handler only, and only once (rate-limited).
	require.Equal(t, 1, strings.Count(problems.String(), "\n"), problems.String())
	require.NotContains(t, stdout.String(), "logship")
}

func TestNewValidates(t *testing.T) {
	es, err := elasticsearch.NewClient(elasticsearch.Config{Addresses: []string{"http://127.0.0.1:1"}})
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		cfg  Config
	}{
		{"no client", Config{Service: "x"}},
		{"no service", Config{Client: es}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			require.Error(t, err)
		})
	}
}

type valuer struct{}

func (valuer) LogValue() slog.Value { return slog.StringValue("resolved") }

// TestDocument: how a record, with the attributes of its handler and its own, becomes the document.
func TestDocument(t *testing.T) {
	at := time.Date(2024, 1, 2, 23, 30, 0, 0, time.FixedZone("UTC-5", -5*3600))
	tests := []struct {
		name  string
		setup func(slog.Handler) slog.Handler
		attrs []slog.Attr
		want  map[string]any
	}{
		{
			name:  "plain attributes",
			attrs: []slog.Attr{slog.String("orderId", "o-1"), slog.Int("attempt", 2), slog.Bool("ok", true)},
			want:  map[string]any{"orderId": "o-1", "attempt": 2.0, "ok": true},
		},
		{
			name: "WithAttrs then WithGroup",
			setup: func(h slog.Handler) slog.Handler {
				return h.WithAttrs([]slog.Attr{slog.String("workflowId", "order-o-1")}).WithGroup("http").
					WithAttrs([]slog.Attr{slog.String("method", "POST")})
			},
			attrs: []slog.Attr{slog.Int("status", 201), slog.Group("req", slog.String("path", "/orders"))},
			want: map[string]any{"workflowId": "order-o-1", "http.method": "POST", "http.status": 201.0,
				"http.req.path": "/orders"},
		},
		{
			name:  "empty group name changes nothing",
			setup: func(h slog.Handler) slog.Handler { return h.WithGroup("") },
			attrs: []slog.Attr{slog.String("a", "b")},
			want:  map[string]any{"a": "b"},
		},
		{
			name: "slog's rules: inline keyless group, drop empty group and empty attribute",
			attrs: []slog.Attr{
				slog.Group("", slog.String("inlined", "yes")), slog.Group("empty"), {},
			},
			want: map[string]any{"inlined": "yes"},
		},
		{
			name: "values: LogValuer, error, duration, NaN, unencodable",
			attrs: []slog.Attr{
				slog.Any("v", valuer{}), slog.Any("error", errors.New("boom")),
				slog.Duration("took", 1500*time.Millisecond), slog.Float64("nan", math.NaN()),
				slog.Any("fn", func() {}), slog.Any("list", []int{1, 2}),
			},
			want: map[string]any{"v": "resolved", "error": "boom", "took": 1.5e9, "nan": "NaN",
				"list": []any{1.0, 2.0}},
		},
		{
			name:  "fixed fields win over attributes of the same name",
			attrs: []slog.Attr{slog.String("message", "spoof"), slog.String("service", "other")},
			want:  map[string]any{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h slog.Handler = (&Shipper{service: "svc"}).Handler(slog.NewJSONHandler(io.Discard, nil))
			if tt.setup != nil {
				h = tt.setup(h)
			}
			r := slog.NewRecord(at, slog.LevelWarn, "hello", 0)
			r.AddAttrs(tt.attrs...)
			e := h.(*handler).document(r)
			require.Equal(t, "logs-ecommerce-2024.01.03", e.index, "the record's UTC date")

			var got map[string]any
			require.NoError(t, json.Unmarshal(e.body, &got))
			want := map[string]any{"@timestamp": "2024-01-03T04:30:00Z", "level": "WARN", "message": "hello",
				"service": "svc"}
			for k, v := range tt.want {
				want[k] = v
			}
			if fn, ok := got["fn"]; ok { // a func cannot be JSON: it is kept as text
				require.IsType(t, "", fn)
				delete(got, "fn")
			}
			require.Equal(t, want, got)
		})
	}
}

// TestSiblingHandlersDoNotShareAttributes: WithAttrs on one handler must not leak into a sibling
// derived from the same parent (the slice-aliasing trap of handlers that keep attributes).
func TestSiblingHandlersDoNotShareAttributes(t *testing.T) {
	parent := (&Shipper{service: "svc"}).Handler(slog.NewJSONHandler(io.Discard, nil)).
		WithAttrs([]slog.Attr{slog.String("p", "1"), slog.String("q", "1"), slog.String("r", "1")}) // cap 4, len 3
	a := parent.WithAttrs([]slog.Attr{slog.String("a", "1")}).(*handler)
	b := parent.WithAttrs([]slog.Attr{slog.String("b", "1")}).(*handler)

	var da, db map[string]any
	require.NoError(t, json.Unmarshal(a.document(slog.NewRecord(time.Now(), slog.LevelInfo, "m", 0)).body, &da))
	require.NoError(t, json.Unmarshal(b.document(slog.NewRecord(time.Now(), slog.LevelInfo, "m", 0)).body, &db))
	require.Contains(t, da, "a")
	require.NotContains(t, da, "b")
	require.Contains(t, db, "b")
	require.NotContains(t, db, "a")
}

func TestEnabledFollowsInner(t *testing.T) {
	h := (&Shipper{service: "svc"}).Handler(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	require.False(t, h.Enabled(context.Background(), slog.LevelInfo))
	require.True(t, h.Enabled(context.Background(), slog.LevelError))
}
