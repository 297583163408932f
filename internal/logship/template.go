package logship

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
)

// IndexPrefix starts the name of every daily log index; IndexName adds the UTC date.
const IndexPrefix = "logs-ecommerce-"

// TemplateName is the index template that gives the daily indices their settings and mappings.
const TemplateName = "logs-ecommerce"

// IndexName is the daily index a record logged at t goes to: logs-ecommerce-YYYY.MM.DD (UTC).
func IndexName(t time.Time) string { return IndexPrefix + t.UTC().Format("2006.01.02") }

// templateBody maps the fields searches filter on as keywords. Priority 600: the names also match the
// built-in `logs-*-*` data-stream template (priority 100) of a full Elasticsearch, and Elasticsearch
// advises above 500 so that ours wins; the indices stay plain daily indices. date_detection is off so
// that a string attribute that once looks like a date cannot make later records of it fail;
// @timestamp keeps nanoseconds, so that the lines of one activity sort in the order they were logged.
// A record becomes searchable within 5 s rather than Elasticsearch's default 1 s: each refresh writes a
// segment, and under load that is CPU on every order for a freshness nobody reading logs needs.
const templateBody = `{
  "index_patterns": ["` + IndexPrefix + `*"],
  "priority": 600,
  "template": {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "5s"},
    "mappings": {
      "date_detection": false,
      "properties": {
        "@timestamp": {"type": "date_nanos"},
        "level":      {"type": "keyword"},
        "message":    {"type": "text"},
        "service":    {"type": "keyword"},
        "orderId":    {"type": "keyword"},
        "workflowId": {"type": "keyword"},
        "activity":   {"type": "keyword"},
        "attempt":    {"type": "integer"},
        "trace_id":   {"type": "keyword"},
        "span_id":    {"type": "keyword"}
      }
    }
  },
  "_meta": {"description": "centralized logs of the order-saga shop (internal/logship)"}
}`

// InstallTemplate puts the index template of the log indices. Putting it again replaces it with the
// same content, so it is safe at every start; it affects indices created afterwards.
func InstallTemplate(ctx context.Context, es *elasticsearch.Client) error {
	res, err := es.Indices.PutIndexTemplate(TemplateName, strings.NewReader(templateBody),
		es.Indices.PutIndexTemplate.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("put index template %s: %w", TemplateName, err)
	}
	defer res.Body.Close()
	if res.IsError() {
		body, _ := io.ReadAll(io.LimitReader(res.Body, 1024))
		return fmt.Errorf("put index template %s: %s: %s", TemplateName, res.Status(), body)
	}
	return nil
}
