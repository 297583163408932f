// Package mongodb connects to MongoDB (or a server speaking its wire protocol, such as the local
// stack's FerretDB). Repositories of the services build on the *mongo.Client it returns.
package mongodb

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/order-saga/shop/internal/config"
)

// Connect opens a client and proves the server answers with a ping, so a wrong URI fails at start-up
// rather than at the first request.
func Connect(ctx context.Context, uri string, extra ...Option) (*mongo.Client, error) {
	opts := options.Client().
		ApplyURI(uri).
		SetServerSelectionTimeout(5 * time.Second).
		SetConnectTimeout(5 * time.Second)
	for _, o := range extra {
		o(opts)
	}
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("mongodb connect %s: %w", config.RedactURL(uri), err)
	}
	if err := Ping(ctx, client); err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		return nil, err
	}
	return client, nil
}

// Ping checks that the primary answers; readiness probes call it.
func Ping(ctx context.Context, client *mongo.Client) error {
	if err := client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("mongodb ping: %w", err)
	}
	return nil
}
