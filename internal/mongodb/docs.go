package mongodb

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/order-saga/shop/domain"
)

// insertNew inserts doc; a document with the same _id is domain.ErrConflict. what names the document
// in errors ("product X").
func insertNew(ctx context.Context, coll *mongo.Collection, doc any, what string) error {
	_, err := coll.InsertOne(ctx, doc)
	if mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("%s exists: %w", what, domain.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("insert %s: %w", what, err)
	}
	return nil
}

// findByID decodes the document with _id id; none is domain.ErrNotFound. A single-_id filter is the
// one query FerretDB answers without scanning the collection.
func findByID[T any](ctx context.Context, coll *mongo.Collection, id, what string) (T, error) {
	var d T
	err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return d, fmt.Errorf("%s: %w", what, domain.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("read %s: %w", what, err)
	}
	return d, nil
}

// replaceByID replaces the document with _id id.
func replaceByID(ctx context.Context, coll *mongo.Collection, id string, doc any, what string) error {
	if _, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, doc); err != nil {
		return fmt.Errorf("save %s: %w", what, err)
	}
	return nil
}
