//go:build integration

package searchtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/elasticsearch"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/inventory"
	"github.com/order-saga/shop/inventory/searchtest"
)

// The store-backed fallback: products created through the inventory service on a database of its own.
func TestStoreSearchContract(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) searchtest.Fixture {
		inv := testenv.NewInventory(t)
		return searchtest.Fixture{
			Search: inv.Service,
			Add: func(t *testing.T, products []searchtest.Product) {
				for _, p := range products {
					price, err := domain.ParseMoney(p.Price, "USD")
					require.NoError(t, err)
					_, err = inv.Service.CreateProduct(context.Background(), inventory.NewProduct{
						Code: p.Code, Name: p.Name, Description: p.Description, Price: price, Quantity: p.OnHand,
					})
					require.NoError(t, err)
				}
			},
		}
	})
}

// Elasticsearch's read model: the same products as the projector would write them from the events.
func TestElasticsearchSearchContract(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) searchtest.Fixture {
		products := elasticsearch.NewProducts(testenv.Elasticsearch(t), testenv.SearchAlias(t, "products"))
		ctx := context.Background()
		require.NoError(t, products.Ensure(ctx))
		return searchtest.Fixture{
			Search: products,
			Add: func(t *testing.T, ps []searchtest.Product) {
				now := time.Now().UTC().Truncate(time.Millisecond)
				for _, p := range ps {
					require.NoError(t, products.ApplyProduct(ctx, inventory.ProductData{
						ProductCode: p.Code, Name: p.Name, Description: p.Description, Price: p.Price, Currency: "USD",
						LowStockThreshold: 5, CreatedAt: now, UpdatedAt: now,
					}))
					if p.OnHand > 0 {
						require.NoError(t, products.ApplyStock(ctx, inventory.MovementData{
							ProductCode: p.Code, Seq: 1, Kind: string(domain.Receipt), Quantity: p.OnHand, OnHand: p.OnHand, Available: p.OnHand,
						}))
					}
				}
				require.NoError(t, products.Refresh(ctx))
			},
		}
	})
}
