//go:build integration

package inventoryclient_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/order-saga/shop/api/inventoryapi"
	"github.com/order-saga/shop/internal/inventoryclient"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/inventory/inventorytest"
)

// TestClientStockContract runs the stock contract through the HTTP door: this client against the
// inventory's real handlers over the real service on the stack's store and broker. It proves the
// client's wire types and problem mapping match the server's, case by case with the service itself
// (inventory's TestServiceStockContract).
func TestClientStockContract(t *testing.T) {
	inventorytest.RunStockContract(t, func(t *testing.T) inventorytest.StockFixture {
		inv := testenv.NewInventory(t)
		r := chi.NewRouter()
		inventoryapi.MountStock(r, inv.Service, "contract-token", testenv.Logger())
		srv := httptest.NewServer(r)
		t.Cleanup(srv.Close)
		return inventorytest.StockFixture{
			Door:    inventoryclient.New(srv.URL, "contract-token", 10*time.Second, testenv.Logger()),
			Service: inv.Service,
		}
	})
}
