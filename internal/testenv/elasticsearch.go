package testenv

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	es8 "github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/order-saga/shop/internal/elasticsearch"
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
