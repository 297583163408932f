// Package elasticsearch is the search read model on Elasticsearch: the products and orders indices
// that the projector keeps from the events, their searches, and the rebuild from MongoDB behind an
// alias swap. Documents carry the version of the change they reflect (a ledger sequence, a saga
// step, a product's update time), so a repeated or late event never moves one backwards.
package elasticsearch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/order-saga/shop/inventory"

	es8 "github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// NewClient returns a client of the server at url without contacting it: the services, the log
// shipper and the projector start while Elasticsearch may still be away.
func NewClient(url string) (*es8.Client, error) {
	c, err := es8.NewClient(es8.Config{
		Addresses: []string{url},
		// Callers retry on their own terms (the projector's messages wait in the queue, searches fall
		// back to MongoDB); the client's own retries would only stretch each attempt.
		MaxRetries: 1,
		Transport:  &http.Transport{ResponseHeaderTimeout: 30 * time.Second, MaxIdleConnsPerHost: 16},
	})
	if err != nil {
		return nil, fmt.Errorf("elasticsearch %s: %w", url, err)
	}
	return c, nil
}

// Connect returns a client of the server at url once it answers a cluster health request.
func Connect(ctx context.Context, url string) (*es8.Client, error) {
	c, err := NewClient(url)
	if err != nil {
		return nil, err
	}
	if err := Ping(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// Ping checks that the cluster answers (readiness).
func Ping(ctx context.Context, c *es8.Client) error {
	_, err := do(ctx, c, esapi.ClusterHealthRequest{Timeout: 2 * time.Second}, nil)
	if err != nil {
		return fmt.Errorf("elasticsearch health: %w", err)
	}
	return nil
}

// StatusError is an answer other than 2xx.
type StatusError struct {
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("elasticsearch answered %d: %s", e.Status, e.Body)
}

// Permanent reports whether err will not go away by trying again: a request Elasticsearch refused as
// such (4xx other than timeouts and throttling). Transport failures and 5xx are worth a retry.
func Permanent(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Status >= 400 && se.Status < 500 &&
		se.Status != http.StatusRequestTimeout && se.Status != http.StatusTooManyRequests
}

func isStatus(err error, status int) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Status == status
}

// do sends req and decodes a 2xx answer into out (when not nil); other answers are a *StatusError.
func do(ctx context.Context, c *es8.Client, req esapi.Request, out any) (int, error) {
	res, err := req.Do(ctx, c)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return res.StatusCode, fmt.Errorf("read answer: %w", err)
	}
	if res.IsError() {
		msg := string(body)
		if len(msg) > 500 {
			msg = msg[:500] + "…"
		}
		return res.StatusCode, &StatusError{Status: res.StatusCode, Body: msg}
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return res.StatusCode, fmt.Errorf("decode answer: %w", err)
		}
	}
	return res.StatusCode, nil
}

func jsonBody(v any) io.Reader {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("marshal request body: %v", err)) // only our own literal types get here
	}
	return bytes.NewReader(b)
}

// index is one read-model index, reached through an alias so that a rebuild can swap it whole.
type index struct {
	c     *es8.Client
	alias string
	body  string // settings and mappings of a new concrete index
}

// Ensure creates the first concrete index behind the alias unless the alias exists.
func (x index) Ensure(ctx context.Context) error {
	_, err := do(ctx, x.c, esapi.IndicesExistsAliasRequest{Name: []string{x.alias}}, nil)
	if err == nil {
		return nil
	}
	if !isStatus(err, http.StatusNotFound) {
		return fmt.Errorf("alias %s: %w", x.alias, err)
	}
	name, err := x.create(ctx)
	if err != nil {
		return err
	}
	_, err = do(ctx, x.c, esapi.IndicesPutAliasRequest{Index: []string{name}, Name: x.alias}, nil)
	if err != nil {
		return fmt.Errorf("alias %s -> %s: %w", x.alias, name, err)
	}
	return nil
}

// create makes a new concrete index for the alias, named after it and the time.
func (x index) create(ctx context.Context) (string, error) {
	name := fmt.Sprintf("%s-%d", x.alias, time.Now().UnixNano())
	_, err := do(ctx, x.c, esapi.IndicesCreateRequest{Index: name, Body: strings.NewReader(x.body)}, nil)
	if err != nil {
		return "", fmt.Errorf("create index %s: %w", name, err)
	}
	return name, nil
}

// current returns the concrete indices behind the alias.
func (x index) current(ctx context.Context) ([]string, error) {
	var out map[string]any
	if _, err := do(ctx, x.c, esapi.IndicesGetAliasRequest{Name: []string{x.alias}}, &out); err != nil {
		return nil, fmt.Errorf("alias %s: %w", x.alias, err)
	}
	names := make([]string, 0, len(out))
	for name := range out {
		names = append(names, name)
	}
	return names, nil
}

// swap points the alias at name alone, in one atomic step, and deletes the indices it left.
func (x index) swap(ctx context.Context, name string) error {
	old, err := x.current(ctx)
	if err != nil && !isStatus(err, http.StatusNotFound) {
		return err
	}
	actions := []map[string]any{{"add": map[string]any{"index": name, "alias": x.alias}}}
	for _, o := range old {
		if o != name {
			actions = append(actions, map[string]any{"remove": map[string]any{"index": o, "alias": x.alias}})
		}
	}
	if _, err := do(ctx, x.c, esapi.IndicesUpdateAliasesRequest{Body: jsonBody(map[string]any{"actions": actions})}, nil); err != nil {
		return fmt.Errorf("swap alias %s -> %s: %w", x.alias, name, err)
	}
	for _, o := range old {
		if o != name {
			if _, err := do(ctx, x.c, esapi.IndicesDeleteRequest{Index: []string{o}}, nil); err != nil {
				return fmt.Errorf("delete old index %s: %w", o, err)
			}
		}
	}
	return nil
}

// Alias is the name searches and writes go through.
func (x index) Alias() string { return x.alias }

// Refresh makes what was written searchable at once (tests use it; the index refreshes by itself
// within a second).
func (x index) Refresh(ctx context.Context) error { return x.refresh(ctx, x.alias) }

func (x index) refresh(ctx context.Context, target string) error {
	_, err := do(ctx, x.c, esapi.IndicesRefreshRequest{Index: []string{target}}, nil)
	return err
}

// rebuild fills a new concrete index with load, points the alias at it and loads again through the
// alias (what changed meanwhile), deleting the old index. It returns the first load's count.
func (x index) rebuild(ctx context.Context, load func(ctx context.Context, target string) (int, error)) (int, error) {
	name, err := x.create(ctx)
	if err != nil {
		return 0, err
	}
	n, err := load(ctx, name)
	if err != nil {
		return n, fmt.Errorf("rebuild %s: %w", name, err)
	}
	if err := x.refresh(ctx, name); err != nil { // searchable from the moment the alias points at it
		return n, err
	}
	if err := x.swap(ctx, name); err != nil {
		return n, err
	}
	if _, err := load(ctx, x.alias); err != nil {
		return n, fmt.Errorf("rebuild %s, second pass: %w", name, err)
	}
	return n, x.Refresh(ctx)
}

// searchHits is the part of a search answer the read models use.
type searchHits[T any] struct {
	Hits struct {
		Hits []struct {
			Source T `json:"_source"`
		} `json:"hits"`
	} `json:"hits"`
}

// textClauses turns each word of text into a clause that must match: the word within "AUTO" edit
// distance of a word in fields, or as a prefix of one, or (when code is set) inside that keyword.
// inventory.MatchesText states the same rule for the store-backed fallback.
func textClauses(words []string, fields []string, code string) []any {
	var must []any
	for _, w := range words {
		should := []any{
			map[string]any{"multi_match": map[string]any{"query": w, "fields": fields, "fuzziness": "AUTO"}},
			map[string]any{"multi_match": map[string]any{"query": w, "fields": fields, "type": "phrase_prefix"}},
		}
		if code != "" {
			should = append(should, map[string]any{"wildcard": map[string]any{code: map[string]any{
				"value": "*" + w + "*", "case_insensitive": true,
			}}})
		}
		must = append(must, map[string]any{"bool": map[string]any{"should": should, "minimum_should_match": 1}})
	}
	return must
}

// splitWords is inventory.Words: both implementations of a search must cut text the same way.
var splitWords = inventory.Words
