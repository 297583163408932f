package mongodb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/order-saga/shop/orders"
)

// IdempotencyKeys stores the order service's Idempotency-Keys (collection idempotency_keys).
//
// The unique _id is the only lock: FerretDB applies conditional updates as read-then-write, so a
// record is never updated. A key's first record has _id H = hash(scope, key); when a record expires,
// the next one is inserted at H#<the expired record's order id>, a chain that only an insert extends,
// so of two requests renewing a key at once exactly one wins. Expiry is the stored time, checked on
// read: FerretDB refuses TTL indexes (expireAfterSeconds), so expired records stay (each is small,
// and a key is renewed at most once per lifetime).
type IdempotencyKeys struct {
	coll *mongo.Collection
}

// NewIdempotencyKeys returns the key store in db.
func NewIdempotencyKeys(db *mongo.Database) *IdempotencyKeys {
	return &IdempotencyKeys{coll: db.Collection("idempotency_keys")}
}

type idempotencyDoc struct {
	ID          string    `bson:"_id"`
	Scope       string    `bson:"scope"`
	Key         string    `bson:"key"`
	Fingerprint string    `bson:"fingerprint"`
	OrderID     string    `bson:"orderId"`
	CreatedAt   time.Time `bson:"createdAt"`
	ExpiresAt   time.Time `bson:"expiresAt"`
}

// maxRenewals bounds the walk along a key's chain: each link took a lifetime to come about.
const maxRenewals = 10_000

// Claim implements orders.IdempotencyStore.
func (s *IdempotencyKeys) Claim(ctx context.Context, rec orders.IdempotencyRecord, now time.Time) (orders.IdempotencyRecord, error) {
	base := recordID(rec.Scope, rec.Key)
	id := base
	for range maxRenewals {
		doc := idempotencyDoc{ID: id, Scope: rec.Scope, Key: rec.Key, Fingerprint: rec.Fingerprint,
			OrderID: rec.OrderID, CreatedAt: rec.CreatedAt, ExpiresAt: rec.ExpiresAt}
		_, err := s.coll.InsertOne(ctx, doc)
		if err == nil {
			return rec, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return orders.IdempotencyRecord{}, fmt.Errorf("store idempotency key: %w", err)
		}
		var stored idempotencyDoc
		if err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&stored); err != nil {
			if errors.Is(err, mongo.ErrNoDocuments) {
				continue // removed meanwhile (by hand): claim it again
			}
			return orders.IdempotencyRecord{}, fmt.Errorf("read idempotency key: %w", err)
		}
		if stored.ExpiresAt.After(now) {
			return orders.IdempotencyRecord{Scope: stored.Scope, Key: stored.Key, Fingerprint: stored.Fingerprint,
				OrderID: stored.OrderID, CreatedAt: stored.CreatedAt, ExpiresAt: stored.ExpiresAt}, nil
		}
		id = base + "#" + stored.OrderID
	}
	return orders.IdempotencyRecord{}, fmt.Errorf("idempotency key renewed more than %d times", maxRenewals)
}

// recordID is the _id of a key's first record: a hash, so that any key and scope make a short,
// plain id, and the length prefix keeps ("a", "bc") and ("ab", "c") apart.
func recordID(scope, key string) string {
	sum := sha256.Sum256([]byte(strconv.Itoa(len(scope)) + ":" + scope + key))
	return hex.EncodeToString(sum[:])
}

var _ orders.IdempotencyStore = (*IdempotencyKeys)(nil)
