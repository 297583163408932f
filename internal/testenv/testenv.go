// Package testenv gives integration tests the local stack's clients, opened once per test binary.
// It never skips: if the stack does not answer, the test fails and says how to start it, because a
// silently skipped integration test in CI proves nothing.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.temporal.io/sdk/client"

	"github.com/order-saga/shop/internal/config"
	"github.com/order-saga/shop/internal/mongodb"
	"github.com/order-saga/shop/internal/temporal"
)

const hint = "is the local stack up? `make test` starts it; by hand: scripts/stack.sh up"

var (
	cfgOnce sync.Once
	cfg     config.Config
	cfgErr  error

	mongoOnce   sync.Once
	mongoClient *mongo.Client
	mongoErr    error

	temporalOnce   sync.Once
	temporalClient client.Client
	temporalErr    error
)

// Config is the configuration the services would read from this environment.
func Config(t testing.TB) config.Config {
	t.Helper()
	cfgOnce.Do(func() { cfg, cfgErr = config.Load() })
	if cfgErr != nil {
		t.Fatalf("testenv: %v", cfgErr)
	}
	return cfg
}

// Logger discards log output unless TEST_LOG=1, so failures stay readable.
func Logger() *slog.Logger {
	if os.Getenv("TEST_LOG") == "1" {
		return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewJSONHandler(io.Discard, nil))
}

// Mongo returns the shared client of the stack's MongoDB-protocol server.
func Mongo(t testing.TB) *mongo.Client {
	t.Helper()
	c := Config(t)
	mongoOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		mongoClient, mongoErr = mongodb.Connect(ctx, c.MongoURI)
	})
	if mongoErr != nil {
		t.Fatalf("testenv: mongodb at %s: %v (%s)", config.RedactURL(c.MongoURI), mongoErr, hint)
	}
	return mongoClient
}

// Database returns a database of its own for the test, dropped when the test ends.
func Database(t testing.TB) *mongo.Database {
	t.Helper()
	db := Mongo(t).Database(UniqueName(t, "test"))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := db.Drop(ctx); err != nil {
			t.Logf("drop test database %s: %v", db.Name(), err)
		}
	})
	return db
}

// Temporal returns the shared client of the stack's Temporal server.
func Temporal(t testing.TB) client.Client {
	t.Helper()
	c := Config(t)
	temporalOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		temporalClient, temporalErr = temporal.Dial(ctx, c.TemporalAddress, c.TemporalNamespace, Logger())
	})
	if temporalErr != nil {
		t.Fatalf("testenv: temporal at %s: %v (%s)", c.TemporalAddress, temporalErr, hint)
	}
	return temporalClient
}

// RabbitMQURL is the AMQP URL of the stack's broker.
func RabbitMQURL(t testing.TB) string {
	t.Helper()
	return Config(t).RabbitMQURL
}

// UniqueName returns prefix plus a random suffix, for databases, queues, exchanges and task queues
// that must not collide with other tests or earlier runs.
func UniqueName(t testing.TB, prefix string) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("testenv: random: %v", err)
	}
	name := strings.NewReplacer("/", "_", " ", "_", "#", "_").Replace(t.Name())
	if len(name) > 30 {
		name = name[:30]
	}
	return prefix + "_" + name + "_" + hex.EncodeToString(b)
}
