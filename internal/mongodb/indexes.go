package mongodb

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ensureIndexes creates the named indexes a collection lacks. Every model must carry a name. It asks
// first rather than relying on createIndexes being a no-op for existing indexes: FerretDB 1.24 panics
// (and drops the connection) when asked to create an index that exists.
func ensureIndexes(ctx context.Context, coll *mongo.Collection, models ...mongo.IndexModel) error {
	cur, err := coll.Indexes().List(ctx)
	if err != nil {
		return fmt.Errorf("list indexes of %s: %w", coll.Name(), err)
	}
	var existing []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &existing); err != nil {
		return fmt.Errorf("list indexes of %s: %w", coll.Name(), err)
	}
	have := map[string]bool{}
	for _, ix := range existing {
		have[ix.Name] = true
	}
	var missing []mongo.IndexModel
	for _, m := range models {
		var o options.IndexOptions
		if m.Options != nil {
			for _, set := range m.Options.List() {
				if err := set(&o); err != nil {
					return fmt.Errorf("index options on %s: %w", coll.Name(), err)
				}
			}
		}
		if o.Name == nil {
			return fmt.Errorf("index on %s without a name", coll.Name())
		}
		if !have[*o.Name] {
			missing = append(missing, m)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := coll.Indexes().CreateMany(ctx, missing); err != nil {
		return fmt.Errorf("create indexes of %s: %w", coll.Name(), err)
	}
	return nil
}
