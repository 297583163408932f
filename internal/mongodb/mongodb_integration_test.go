//go:build integration

package mongodb_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/internal/testenv"
)

func TestDocumentRoundTrip(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := testenv.Database(t)
	require.NoError(t, mongodb.Ping(ctx, testenv.Mongo(t)))

	type widget struct {
		ID      string    `bson:"_id"`
		Name    string    `bson:"name"`
		Count   int64     `bson:"count"`
		Tags    []string  `bson:"tags"`
		Created time.Time `bson:"created"`
	}
	in := widget{ID: "w-1", Name: "sprocket", Count: 42, Tags: []string{"a", "b"}, Created: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	_, err := db.Collection("widgets").InsertOne(ctx, in)
	require.NoError(t, err)

	var out widget
	require.NoError(t, db.Collection("widgets").FindOne(ctx, bson.D{{Key: "_id", Value: "w-1"}}).Decode(&out))
	require.Equal(t, in, out)

	_, err = db.Collection("widgets").InsertOne(ctx, in)
	require.Error(t, err, "a second document with the same _id must be refused")
}

func TestConnectFailsClearlyWhenNothingAnswers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := mongodb.Connect(ctx, "mongodb://user:secret@127.0.0.1:1/")
	require.Error(t, err)
	require.Contains(t, err.Error(), "mongodb")
	require.NotContains(t, err.Error(), "secret", "credentials must not leak into errors")
}
