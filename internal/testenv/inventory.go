package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/internal/rabbitmq"
	"github.com/order-saga/shop/inventory"
	"github.com/order-saga/shop/inventory/inventorytest"
)

// Inventory is the inventory service on the real store and broker, in a database and on an
// exchange of the test's own.
type Inventory struct {
	Service      *inventory.Service
	Catalog      *mongodb.Catalog
	Ledger       *mongodb.Ledger
	Reservations *mongodb.Reservations
	Exchange     string

	db     *mongo.Database
	events inventory.Events
}

// NewInventory builds an Inventory for one test.
func NewInventory(t testing.TB) Inventory {
	t.Helper()
	ctx := context.Background()
	db := Database(t)
	ledger, err := mongodb.NewLedger(ctx, db, prometheus.NewRegistry())
	if err != nil {
		t.Fatalf("testenv: ledger: %v", err)
	}
	exchange := UniqueName(t, "test.events")
	CleanupExchange(t, exchange)
	pub, err := rabbitmq.NewPublisher(ctx, RabbitMQURL(t), exchange, Logger())
	if err != nil {
		t.Fatalf("testenv: publisher: %v (%s)", err, hint)
	}
	t.Cleanup(func() { _ = pub.Close() })
	res := mongodb.NewReservations(db)
	catalog := mongodb.NewCatalog(db)
	events := rabbitmq.Events{Publisher: pub}
	svc := inventory.NewService(catalog, ledger, res, events, time.Now, Logger())
	return Inventory{Service: svc, Catalog: catalog, Ledger: ledger, Reservations: res, Exchange: exchange, db: db, events: events}
}

// Product creates a product in USD with qty in stock.
func (inv Inventory) Product(t testing.TB, code string, qty int64, price string) {
	t.Helper()
	p, err := domain.ParseMoney(price, "USD")
	if err != nil {
		t.Fatalf("testenv: price %q: %v", price, err)
	}
	if _, err := inv.Service.CreateProduct(context.Background(), inventory.NewProduct{Code: code, Name: "Product " + code, Price: p, Quantity: qty}); err != nil {
		t.Fatalf("testenv: create product %s: %v", code, err)
	}
}

// InventoryPorts returns the inventory's ports on the real store and broker, in a database and on an
// exchange of the test's own, for the suites of inventorytest.
func InventoryPorts(t testing.TB) inventorytest.Ports {
	t.Helper()
	inv := NewInventory(t)
	return inventorytest.Ports{
		Catalog: inv.Catalog, Ledger: inv.Ledger, Reservations: inv.Reservations,
		Events: &inventorytest.RecordingEvents{Events: inv.events}, Outbox: mongodb.NewOutbox(inv.db),
	}
}
