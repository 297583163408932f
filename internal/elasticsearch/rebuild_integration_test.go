//go:build integration

package elasticsearch_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/elastic/go-elasticsearch/v8/esapi"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/elasticsearch"
	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/inventory"
	"github.com/order-saga/shop/orders"
)

// aliasIndices returns the concrete indices behind alias.
func aliasIndices(t *testing.T, alias string) []string {
	t.Helper()
	res, err := esapi.IndicesGetAliasRequest{Name: []string{alias}}.Do(context.Background(), testenv.Elasticsearch(t))
	require.NoError(t, err)
	defer res.Body.Close()
	require.False(t, res.IsError(), res.String())
	var out map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	names := []string{}
	for n := range out {
		names = append(names, n)
	}
	return names
}

// TestRebuildFromTheStoresWithoutDowntime fills the stores, lets the read model miss everything (as
// after a lost index), rebuilds, and checks that searches kept answering throughout and that the
// alias ends on one new index holding every product (with its stock) and every order.
func TestRebuildFromTheStoresWithoutDowntime(t *testing.T) {
	ctx := context.Background()
	inv := testenv.NewInventory(t)
	const n = 30
	for i := range n {
		inv.Product(t, fmt.Sprintf("RB-%03d", i), int64(i), "2.50")
	}
	_, err := inv.Service.Reserve(ctx, "rb-order", []inventory.LineRequest{{ProductCode: "RB-010", Quantity: 4}})
	require.NoError(t, err)
	store := mongodb.NewOrders(testenv.Database(t))
	for i := range n {
		require.NoError(t, store.Save(ctx, orders.Order{
			OrderID: fmt.Sprintf("rb-%03d", i), CustomerID: "rebuild", Status: domain.StatusConfirmed, Seq: 2,
			Lines: []orders.Line{{ProductCode: "RB-010", Quantity: 1, UnitPriceMinor: 250, Currency: "USD"}},
		}))
	}

	es := testenv.Elasticsearch(t)
	productsAlias := testenv.SearchAlias(t, "products")
	products := elasticsearch.NewProducts(es, productsAlias)
	idx := elasticsearch.NewOrders(es, testenv.SearchAlias(t, "orders"))
	require.NoError(t, products.Ensure(ctx))
	require.NoError(t, idx.Ensure(ctx))
	// One product is already indexed, so a search has something to find while the rebuild runs.
	p, err := inv.Service.GetProduct(ctx, "RB-001")
	require.NoError(t, err)
	require.NoError(t, products.ApplyProduct(ctx, inventory.NewProductData(p.Product)))
	require.NoError(t, products.Refresh(ctx))
	before := aliasIndices(t, productsAlias)
	require.Len(t, before, 1)

	var searches, misses atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // a client searching all along
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			views, err := products.Search(ctx, inventory.SearchQuery{Text: "RB-001", Limit: 5})
			searches.Add(1)
			if err != nil || !slices.ContainsFunc(views, func(v inventory.ProductView) bool { return v.Code == "RB-001" }) {
				misses.Add(1)
			}
		}
	}()

	pn, err := products.Rebuild(ctx, inv.Catalog, inv.Ledger)
	require.NoError(t, err)
	on, err := idx.Rebuild(ctx, store)
	require.NoError(t, err)
	close(stop)
	wg.Wait()

	require.Equal(t, n, pn)
	require.Equal(t, n, on)
	require.Positive(t, searches.Load())
	require.Zero(t, misses.Load(), "every search during the rebuild found the product (%d searches)", searches.Load())

	after := aliasIndices(t, productsAlias)
	require.Len(t, after, 1)
	require.NotEqual(t, before, after, "the alias moved to the new index")
	res, err := esapi.IndicesExistsRequest{Index: before}.Do(ctx, es)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, 404, res.StatusCode, "the old index is gone")

	all, err := products.Search(ctx, inventory.SearchQuery{Text: "RB", Limit: 100})
	require.NoError(t, err)
	require.Len(t, all, n)
	for _, v := range all {
		if v.Code == "RB-010" {
			require.Equal(t, domain.StockLevel{OnHand: 10, Reserved: 4}, v.Stock, "the stock comes from the ledger's head")
		}
	}
	got, err := idx.Search(ctx, orders.Query{CustomerID: "rebuild", Limit: 100})
	require.NoError(t, err)
	require.Len(t, got, n)
}
