//go:build integration

package logship_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/internal/logship"
	"github.com/order-saga/shop/internal/testenv"
)

// unique returns prefix plus random hex, so runs never see each other's records.
func unique(t *testing.T, prefix string) string {
	t.Helper()
	b := make([]byte, 4)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return prefix + "-" + hex.EncodeToString(b)
}

// getJSON decodes the answer of GET path.
func getJSON(t *testing.T, es *elasticsearch.Client, path string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, path, nil)
	require.NoError(t, err)
	res, err := es.Perform(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	var out map[string]any
	require.NoError(t, json.Unmarshal(body, &out))
	return out
}

func newShipper(t *testing.T, es *elasticsearch.Client, service string, flushInterval time.Duration) (*logship.Shipper, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	s, err := logship.New(logship.Config{Client: es, Service: service, FlushInterval: flushInterval, Registerer: reg,
		Problems: slog.NewJSONHandler(os.Stderr, nil)})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = s.Close(ctx)
	})
	return s, reg
}

// TestRecordsArriveInTheirDailyIndex: records of plain, WithAttrs and WithGroup loggers reach the
// daily index of their UTC date, flattened, with the template's mappings.
func TestRecordsArriveInTheirDailyIndex(t *testing.T) {
	es := testenv.Elasticsearch(t)
	service := unique(t, "logship-test")
	s, _ := newShipper(t, es, service, time.Second)
	log := slog.New(s.Handler(slog.NewJSONHandler(io.Discard, nil)))

	step := log.With("orderId", "o-42", "workflowId", "order-o-42").WithGroup("step").With("activity", "ReserveStock")
	log.Info("plain", "key", "value")
	step.Warn("grouped", "attempt", 3, slog.Group("detail", "sku", "SKU-1"))
	// A record's own time picks the index: late evening in UTC-5 is the next day in UTC.
	late := slog.NewRecord(time.Date(2024, 1, 2, 23, 30, 0, 0, time.FixedZone("UTC-5", -5*3600)), slog.LevelError, "yesterday", 0)
	late.AddAttrs(slog.Int("attempt", 7))
	require.NoError(t, log.With("orderId", "o-43").Handler().Handle(context.Background(), late))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, s.Flush(ctx))
	require.Equal(t, uint64(3), s.Stats().Shipped)

	hits := testenv.LogHits(t, "service", service)
	require.Len(t, hits, 3)
	byMessage := map[string]testenv.LogHit{}
	for _, h := range hits {
		byMessage[h.Source["message"].(string)] = h
		ts, err := time.Parse(time.RFC3339Nano, h.Source["@timestamp"].(string))
		require.NoError(t, err)
		require.Equal(t, logship.IndexName(ts), h.Index)
	}

	tests := []struct {
		message string
		index   string
		want    map[string]any
	}{
		{"plain", "", map[string]any{"level": "INFO", "key": "value"}},
		{"grouped", "", map[string]any{"level": "WARN", "orderId": "o-42",
			"workflowId": "order-o-42", "step.activity": "ReserveStock", "step.attempt": 3.0, "step.detail.sku": "SKU-1"}},
		{"yesterday", "logs-ecommerce-2024.01.03", map[string]any{"level": "ERROR", "orderId": "o-43", "attempt": 7.0,
			"@timestamp": "2024-01-03T04:30:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.message, func(t *testing.T) {
			h, ok := byMessage[tt.message]
			require.True(t, ok, "record %q not found", tt.message)
			if tt.index != "" { // the others: checked above against their @timestamp
				require.Equal(t, tt.index, h.Index)
			}
			require.Equal(t, service, h.Source["service"])
			for k, v := range tt.want {
				require.Equal(t, v, h.Source[k], k)
			}
		})
	}

	// The template shaped the index: keywords for the ids, an integer attempt, one shard, no replica.
	index := byMessage["grouped"].Index
	props := getJSON(t, es, "/"+index+"/_mapping")[index].(map[string]any)["mappings"].(map[string]any)["properties"].(map[string]any)
	for field, typ := range map[string]string{"orderId": "keyword", "workflowId": "keyword", "activity": "keyword",
		"service": "keyword", "level": "keyword", "attempt": "integer", "message": "text", "@timestamp": "date_nanos"} {
		require.Equal(t, typ, props[field].(map[string]any)["type"], field)
	}
	settings := getJSON(t, es, "/"+index+"/_settings")[index].(map[string]any)["settings"].(map[string]any)["index"].(map[string]any)
	require.Equal(t, "1", settings["number_of_shards"])
	require.Equal(t, "0", settings["number_of_replicas"])
}

// TestTemplateInstallIsIdempotent: installing again at every start is harmless.
func TestTemplateInstallIsIdempotent(t *testing.T) {
	es := testenv.Elasticsearch(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for range 2 {
		require.NoError(t, logship.InstallTemplate(ctx, es))
	}
	tmpl := getJSON(t, es, "/_index_template/"+logship.TemplateName)
	require.Len(t, tmpl["index_templates"], 1)
}

// TestCloseFlushes: with a flush interval far beyond the test, only Close can ship the records.
func TestCloseFlushes(t *testing.T) {
	es := testenv.Elasticsearch(t)
	service := unique(t, "logship-close")
	s, reg := newShipper(t, es, service, time.Hour)
	log := slog.New(s.Handler(slog.NewJSONHandler(io.Discard, nil)))
	const n = 50
	for i := range n {
		log.Info("before close", "i", i)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, s.Close(ctx))
	require.Equal(t, logship.Stats{Shipped: n}, s.Stats())
	require.Len(t, testenv.LogHits(t, "service", service), n)

	families, err := reg.Gather()
	require.NoError(t, err)
	names := map[string]float64{}
	for _, f := range families {
		names[f.GetName()] = f.GetMetric()[0].GetCounter().GetValue()
	}
	require.Equal(t, map[string]float64{"shop_log_records_shipped_total": n, "shop_log_records_failed_total": 0,
		"shop_log_records_dropped_total": 0}, names)
}
