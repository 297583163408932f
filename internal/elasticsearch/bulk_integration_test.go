//go:build integration

package elasticsearch_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/elasticsearch"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/inventory"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/projector"
)

// newReadModel is the projector's read model on indices of the test's own.
func newReadModel(t *testing.T) elasticsearch.ReadModel {
	t.Helper()
	c := testenv.Elasticsearch(t)
	rm := elasticsearch.ReadModel{
		Products: elasticsearch.NewProducts(c, testenv.SearchAlias(t, "products")),
		Orders:   elasticsearch.NewOrders(c, testenv.SearchAlias(t, "orders")),
	}
	require.NoError(t, rm.Products.Ensure(context.Background()))
	require.NoError(t, rm.Orders.Ensure(context.Background()))
	return rm
}

// source is the document id's source in alias, nil when there is none.
func source(t *testing.T, alias, id string) map[string]any {
	t.Helper()
	res, err := esapi.GetRequest{Index: alias, DocumentID: id}.Do(context.Background(), testenv.Elasticsearch(t))
	require.NoError(t, err)
	defer res.Body.Close()
	if res.StatusCode == 404 {
		return nil
	}
	require.False(t, res.IsError(), res.String())
	var got struct {
		Source map[string]any `json:"_source"`
	}
	dec := json.NewDecoder(res.Body)
	dec.UseNumber() // versions are nanoseconds: more digits than a float64 keeps
	require.NoError(t, dec.Decode(&got))
	return got.Source
}

// number is a whole number of a document's source.
func number(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	require.True(t, ok, "%v is not a number", v)
	i, err := n.Int64()
	require.NoError(t, err)
	return i
}

func order(id string, seq int64, status domain.OrderStatus) projector.Change {
	return projector.Change{Order: &orders.Order{OrderID: id, CustomerID: "c-" + id, Status: status, Seq: seq,
		Lines: []orders.Line{{ProductCode: "P1", Quantity: 1, UnitPriceMinor: 100, Currency: "USD"}}}}
}

func stock(code string, seq, onHand, reserved int64) projector.Change {
	return projector.Change{Stock: &inventory.MovementData{ProductCode: code, Seq: seq, OnHand: onHand, Reserved: reserved, Available: onHand - reserved}}
}

func product(code, name string, updated time.Time) projector.Change {
	return projector.Change{Product: &inventory.ProductData{ProductCode: code, Name: name, Price: "5.00", Currency: "USD", CreatedAt: updated, UpdatedAt: updated}}
}

// TestReadModelKeepsTheNewestOfEachDocumentInABatch: a batch holding several versions of the same
// documents, in any order, leaves each at its newest; a document Elasticsearch refuses fails alone,
// for good; and a later batch of old news changes nothing.
func TestReadModelKeepsTheNewestOfEachDocumentInABatch(t *testing.T) {
	ctx := context.Background()
	rm := newReadModel(t)
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	tooLong := strings.Repeat("x", 600) // Elasticsearch refuses an _id over 512 bytes

	batch := []projector.Change{
		order("o1", 3, domain.StatusConfirmed),
		stock("P1", 5, 10, 3),
		order("o1", 1, domain.StatusPending),
		product("P1", "Renamed lamp", t0.Add(time.Second)),
		order(tooLong, 1, domain.StatusPending),
		stock("P1", 4, 10, 2),
		order("o2", 1, domain.StatusPending),
		product("P1", "Lamp", t0),
		stock("P2", 1, 7, 0), // stock before the product: kept for when it comes
		order("o1", 2, domain.StatusReserved),
	}
	errs := rm.Apply(ctx, batch)
	require.Len(t, errs, len(batch))
	for i, err := range errs {
		if i == 4 {
			require.Error(t, err)
			require.True(t, elasticsearch.Permanent(err), "a refused document is refused for good: %v", err)
			continue
		}
		require.NoError(t, err, "change %d", i)
	}
	requireState := func() {
		t.Helper()
		o1 := source(t, rm.Orders.Alias(), "o1")
		require.Equal(t, "CONFIRMED", o1["status"])
		require.Equal(t, int64(3), number(t, o1["seq"]))
		require.Equal(t, "PENDING", source(t, rm.Orders.Alias(), "o2")["status"])
		p1 := source(t, rm.Products.Alias(), "P1")
		require.Equal(t, "Renamed lamp", p1["name"], "the later update wins whatever the order")
		require.Equal(t, int64(5), number(t, p1["stockSeq"]), "the later ledger entry wins")
		require.Equal(t, int64(3), number(t, p1["reserved"]))
		require.Equal(t, int64(7), number(t, source(t, rm.Products.Alias(), "P2")["onHand"]))
	}
	requireState()
	require.Nil(t, source(t, rm.Orders.Alias(), "o3"))

	late := []projector.Change{order("o1", 2, domain.StatusReserved), stock("P1", 4, 10, 2), product("P1", "Lamp", t0), product("P2", "Chair", t0)}
	for i, err := range rm.Apply(ctx, late) {
		require.NoError(t, err, "late change %d", i)
	}
	requireState()
	require.Equal(t, "Chair", source(t, rm.Products.Alias(), "P2")["name"], "the descriptive half joins the stock half")
	require.Equal(t, int64(7), number(t, source(t, rm.Products.Alias(), "P2")["onHand"]))
}

// TestReadModelMergesOntoAConcurrentWriter: two writers change the two halves of the same products
// at once; each conflicting write is merged again onto the other's, so both halves end at their
// newest.
func TestReadModelMergesOntoAConcurrentWriter(t *testing.T) {
	ctx := context.Background()
	rm := newReadModel(t)
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	codes := []string{"C1", "C2", "C3"}
	const rounds = 15
	var wg sync.WaitGroup
	errc := make(chan error, 2*rounds*len(codes))
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 1; r <= rounds; r++ {
				var batch []projector.Change
				for _, code := range codes {
					if w == 0 {
						batch = append(batch, product(code, "name", t0.Add(time.Duration(r)*time.Millisecond)))
					} else {
						batch = append(batch, stock(code, int64(r), 100, int64(r)))
					}
				}
				for _, err := range rm.Apply(ctx, batch) {
					errc <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		require.NoError(t, err)
	}
	for _, code := range codes {
		doc := source(t, rm.Products.Alias(), code)
		require.Equal(t, t0.Add(rounds*time.Millisecond).UnixNano(), number(t, doc["productVersion"]), code)
		require.Equal(t, int64(rounds), number(t, doc["stockSeq"]), code)
		require.Equal(t, int64(rounds), number(t, doc["reserved"]), code)
	}
}
