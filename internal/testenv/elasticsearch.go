package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	es8 "github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/internal/elasticsearch"
	"github.com/order-saga/shop/internal/logship"
)

var (
	esOnce   sync.Once
	esClient *es8.Client
	esErr    error
)

// ElasticsearchURL is the stack's Elasticsearch: ELASTICSEARCH_URL, or the local stack's default.
// (The services treat an empty ELASTICSEARCH_URL as "none"; the tests always need one.)
func ElasticsearchURL(t testing.TB) string {
	if u := Config(t).ElasticsearchURL; u != "" {
		return u
	}
	return "http://127.0.0.1:9200"
}

// Elasticsearch returns the shared client of the stack's Elasticsearch.
func Elasticsearch(t testing.TB) *es8.Client {
	t.Helper()
	url := ElasticsearchURL(t)
	esOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		esClient, esErr = elasticsearch.Connect(ctx, url)
	})
	if esErr != nil {
		t.Fatalf("testenv: elasticsearch at %s: %v (%s)", url, esErr, hint)
	}
	return esClient
}

// SearchAlias returns an index alias of the test's own (lower case, as Elasticsearch wants), whose
// indices are deleted when the test ends.
func SearchAlias(t testing.TB, prefix string) string {
	t.Helper()
	alias := strings.ToLower(UniqueName(t, prefix))
	c := Elasticsearch(t)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// Deleting by wildcard is refused by default (action.destructive_requires_name): list, then delete.
		res, err := esapi.IndicesGetRequest{Index: []string{alias + "-*"}}.Do(ctx, c)
		if err != nil {
			return
		}
		var indices map[string]any
		_ = json.NewDecoder(res.Body).Decode(&indices)
		res.Body.Close()
		for name := range indices {
			res, err := esapi.IndicesDeleteRequest{Index: []string{name}}.Do(ctx, c)
			if err == nil {
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Logf("testenv: delete index %s: %s", name, res.Status())
				}
			}
		}
	})
	return alias
}

// LogHit is one shipped log record and the index it is in.
type LogHit struct {
	Index  string         `json:"_index"`
	Source map[string]any `json:"_source"`
}

// LogHits refreshes the shipped log indices and returns the records whose keyword field equals
// value, oldest first (one bulk worker keeps the order; _doc breaks timestamp ties).
func LogHits(t testing.TB, field, value string) []LogHit {
	t.Helper()
	es := Elasticsearch(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	res, err := es.Indices.Refresh(es.Indices.Refresh.WithIndex(logship.IndexPrefix+"*"), es.Indices.Refresh.WithContext(ctx))
	require.NoError(t, err)
	res.Body.Close()
	require.False(t, res.IsError(), res.String())

	query := fmt.Sprintf(`{"size": 100, "sort": [{"@timestamp": "asc"}, "_doc"], "query": {"term": {%q: %q}}}`, field, value)
	res, err = es.Search(es.Search.WithIndex(logship.IndexPrefix+"*"), es.Search.WithBody(strings.NewReader(query)),
		es.Search.WithContext(ctx))
	require.NoError(t, err)
	defer res.Body.Close()
	require.False(t, res.IsError(), res.String())
	var out struct {
		Hits struct {
			Hits []LogHit `json:"hits"`
		} `json:"hits"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	return out.Hits.Hits
}

// OrderLogs returns the shipped log records of an order (by orderId), oldest first.
func OrderLogs(t testing.TB, orderID string) []map[string]any {
	t.Helper()
	var records []map[string]any
	for _, h := range LogHits(t, "orderId", orderID) {
		records = append(records, h.Source)
	}
	return records
}
