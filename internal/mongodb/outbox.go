package mongodb

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
)

// Outbox keeps events the broker did not take (collection outbox, _id the event id). It is empty
// but for broker outages, so listing it is cheap even where the server scans.
type Outbox struct {
	coll *mongo.Collection
}

// NewOutbox returns the outbox in db.
func NewOutbox(db *mongo.Database) *Outbox {
	return &Outbox{coll: db.Collection("outbox")}
}

// outboxDoc stores the event's data as its JSON text, so the event goes out exactly as it was made.
type outboxDoc struct {
	ID         string    `bson:"_id"`
	Type       string    `bson:"type"`
	OccurredAt time.Time `bson:"occurredAt"`
	Source     string    `bson:"source"`
	Subject    string    `bson:"subject"`
	Data       string    `bson:"data"`
	AddedAt    int64     `bson:"addedAt"` // ns; orders the relay (events of one change share OccurredAt)
	// Trace is the trace context of the change (the HTTP request) that made the event, so that the
	// relay publishes it in that request's trace however much later (W3C traceparent, tracestate).
	Trace map[string]string `bson:"trace,omitempty"`
}

// Add implements inventory.Outbox.
func (o *Outbox) Add(ctx context.Context, e domain.Event) error {
	data, err := json.Marshal(e.Data)
	if err != nil {
		return fmt.Errorf("outbox %s: encode data: %w", e.ID, err)
	}
	doc := outboxDoc{ID: e.ID, Type: e.Type, OccurredAt: e.OccurredAt, Source: e.Source, Subject: e.Subject, Data: string(data), AddedAt: time.Now().UnixNano(),
		Trace: traceContext(ctx, e.Trace)}
	if _, err := o.coll.InsertOne(ctx, doc); err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("outbox %s: %w", e.ID, err)
	}
	return nil
}

// Pending implements inventory.Outbox.
func (o *Outbox) Pending(ctx context.Context, limit int) ([]domain.Event, error) {
	cur, err := o.coll.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "addedAt", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	var docs []outboxDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	events := make([]domain.Event, len(docs))
	for i, d := range docs {
		events[i] = domain.Event{
			ID: d.ID, Type: d.Type, OccurredAt: d.OccurredAt, Source: d.Source, Subject: d.Subject,
			Data: json.RawMessage(d.Data), Trace: d.Trace,
		}
	}
	return events, nil
}

// Done implements inventory.Outbox.
func (o *Outbox) Done(ctx context.Context, id string) error {
	if _, err := o.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return fmt.Errorf("outbox done %s: %w", id, err)
	}
	return nil
}

// traceContext is the W3C trace context an outboxed event keeps: its own when it has one already, else
// that of ctx's span (nil when ctx holds none).
func traceContext(ctx context.Context, own map[string]string) map[string]string {
	if len(own) > 0 {
		return own
	}
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return nil
	}
	carrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, carrier)
	return carrier
}

var _ inventory.Outbox = (*Outbox)(nil)
