//go:build integration

package searchtest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/internal/elasticsearch"
	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/orders/searchtest"
)

func TestStoreSearchContract(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) searchtest.Fixture {
		store := mongodb.NewOrders(testenv.Database(t))
		return searchtest.Fixture{
			Search: orders.StoreSearch{Store: store},
			Add: func(t *testing.T, recs []orders.Order) {
				for _, r := range recs {
					require.NoError(t, store.Save(context.Background(), r))
				}
			},
		}
	})
}

func TestElasticsearchSearchContract(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) searchtest.Fixture {
		idx := elasticsearch.NewOrders(testenv.Elasticsearch(t), testenv.SearchAlias(t, "orders"))
		ctx := context.Background()
		require.NoError(t, idx.Ensure(ctx))
		return searchtest.Fixture{
			Search: idx,
			Add: func(t *testing.T, recs []orders.Order) {
				for _, r := range recs {
					require.NoError(t, idx.ApplyOrder(ctx, r))
				}
				require.NoError(t, idx.Refresh(ctx))
			},
		}
	})
}
