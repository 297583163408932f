package mongodb

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
)

// Catalog stores products in the collection products, _id the product code. Stock is not kept here
// (see Ledger), so a product document changes only when a person edits it.
type Catalog struct {
	products *mongo.Collection
}

// NewCatalog returns the catalogue in db.
func NewCatalog(db *mongo.Database) *Catalog {
	return &Catalog{products: db.Collection("products")}
}

type productDoc struct {
	Code              string    `bson:"_id"`
	Name              string    `bson:"name"`
	Description       string    `bson:"description"`
	PriceMinor        int64     `bson:"priceMinor"`
	Currency          string    `bson:"currency"`
	LowStockThreshold int64     `bson:"lowStockThreshold"`
	CreatedAt         time.Time `bson:"createdAt"`
	UpdatedAt         time.Time `bson:"updatedAt"`
}

func toProductDoc(p domain.Product) productDoc {
	return productDoc{
		Code: p.Code, Name: p.Name, Description: p.Description, PriceMinor: p.Price.Minor, Currency: p.Price.Currency,
		LowStockThreshold: p.LowStockThreshold, CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(),
	}
}

func (d productDoc) product() domain.Product {
	return domain.Product{
		Code: d.Code, Name: d.Name, Description: d.Description, Price: domain.Money{Minor: d.PriceMinor, Currency: d.Currency},
		LowStockThreshold: d.LowStockThreshold, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
}

// Create implements inventory.Catalog.
func (c *Catalog) Create(ctx context.Context, p domain.Product) error {
	return insertNew(ctx, c.products, toProductDoc(p), "product "+p.Code)
}

// Get implements inventory.Catalog.
func (c *Catalog) Get(ctx context.Context, code string) (domain.Product, error) {
	d, err := findByID[productDoc](ctx, c.products, code, "product "+code)
	return d.product(), err
}

// Update implements inventory.Catalog.
func (c *Catalog) Update(ctx context.Context, p domain.Product) error {
	d := toProductDoc(p)
	res, err := c.products.UpdateOne(ctx, bson.D{{Key: "_id", Value: p.Code}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "name", Value: d.Name}, {Key: "description", Value: d.Description},
		{Key: "priceMinor", Value: d.PriceMinor}, {Key: "currency", Value: d.Currency},
		{Key: "lowStockThreshold", Value: d.LowStockThreshold}, {Key: "updatedAt", Value: d.UpdatedAt},
	}}})
	if err != nil {
		return fmt.Errorf("update product %s: %w", p.Code, err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("product %s: %w", p.Code, domain.ErrNotFound)
	}
	return nil
}

// List implements inventory.Catalog: a page of products in code order.
func (c *Catalog) List(ctx context.Context, q inventory.ListQuery) ([]domain.Product, error) {
	filter := bson.D{}
	if q.After != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: q.After}}})
	}
	cur, err := c.products.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(q.Limit)))
	if err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	var docs []productDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	out := make([]domain.Product, len(docs))
	for i, d := range docs {
		out[i] = d.product()
	}
	return out, nil
}

var _ inventory.Catalog = (*Catalog)(nil)
