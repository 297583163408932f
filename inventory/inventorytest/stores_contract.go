package inventorytest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
)

// RunCatalogContract runs the contract of inventory.Catalog against a catalogue of the test's own
// from newCatalog.
func RunCatalogContract(t *testing.T, newCatalog func(t *testing.T) inventory.Catalog) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 16, 0, 0, 123_000_000, time.UTC)
	product := func(code string) domain.Product {
		return domain.Product{Code: code, Name: "Product " + code, Description: "about " + code,
			Price: domain.Money{Minor: 1999, Currency: "USD"}, LowStockThreshold: 3, CreatedAt: at, UpdatedAt: at}
	}
	requireProduct := func(t *testing.T, want, got domain.Product) {
		t.Helper()
		require.True(t, want.CreatedAt.Equal(got.CreatedAt) && want.UpdatedAt.Equal(got.UpdatedAt), "times of %s", want.Code)
		got.CreatedAt, got.UpdatedAt = want.CreatedAt, want.UpdatedAt
		require.Equal(t, want, got)
	}

	t.Run("Create and Get; a code taken twice conflicts", func(t *testing.T) {
		c := newCatalog(t)
		require.NoError(t, c.Create(ctx, product("A")))
		got, err := c.Get(ctx, "A")
		require.NoError(t, err)
		requireProduct(t, product("A"), got)
		require.ErrorIs(t, c.Create(ctx, product("A")), domain.ErrConflict)
		_, err = c.Get(ctx, "B")
		require.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("Update replaces the descriptive fields of a known product", func(t *testing.T) {
		c := newCatalog(t)
		require.NoError(t, c.Create(ctx, product("A")))
		changed := product("A")
		changed.Name, changed.Description, changed.Price, changed.LowStockThreshold = "New", "", domain.Money{Minor: 5, Currency: "USD"}, 0
		changed.UpdatedAt = at.Add(time.Minute)
		require.NoError(t, c.Update(ctx, changed))
		got, err := c.Get(ctx, "A")
		require.NoError(t, err)
		requireProduct(t, changed, got)
		require.ErrorIs(t, c.Update(ctx, product("B")), domain.ErrNotFound)
	})

	t.Run("List pages in code order after a cursor", func(t *testing.T) {
		c := newCatalog(t)
		for _, code := range []string{"C", "A", "D", "B"} {
			require.NoError(t, c.Create(ctx, product(code)))
		}
		for _, tc := range []struct {
			q    inventory.ListQuery
			want []string
		}{
			{inventory.ListQuery{Limit: 3}, []string{"A", "B", "C"}},
			{inventory.ListQuery{After: "C", Limit: 3}, []string{"D"}},
			{inventory.ListQuery{After: "B", Limit: 1}, []string{"C"}},
			{inventory.ListQuery{After: "D", Limit: 3}, []string{}},
		} {
			page, err := c.List(ctx, tc.q)
			require.NoError(t, err)
			codes := []string{}
			for _, p := range page {
				codes = append(codes, p.Code)
			}
			require.Equal(t, tc.want, codes, "%+v", tc.q)
		}
	})
}

// RunOutboxContract runs the contract of inventory.Outbox against an outbox of the test's own from
// newOutbox.
func RunOutboxContract(t *testing.T, newOutbox func(t *testing.T) inventory.Outbox) {
	ctx := context.Background()
	event := func(id string) domain.Event {
		return domain.Event{ID: id, Type: domain.EventStockAdjusted, OccurredAt: time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC),
			Source: inventory.Source, Subject: "P", Data: inventory.MovementData{ProductCode: "P", Seq: 1, Kind: "receipt", Quantity: 2}}
	}
	ids := func(t *testing.T, o inventory.Outbox, limit int) []string {
		t.Helper()
		pending, err := o.Pending(ctx, limit)
		require.NoError(t, err)
		out := []string{}
		for _, e := range pending {
			out = append(out, e.ID)
		}
		return out
	}

	t.Run("events are kept once, oldest first, until done", func(t *testing.T) {
		o := newOutbox(t)
		for _, id := range []string{"e1", "e2", "e1", "e3"} {
			require.NoError(t, o.Add(ctx, event(id)))
		}
		require.Equal(t, []string{"e1", "e2", "e3"}, ids(t, o, 10))
		require.Equal(t, []string{"e1", "e2"}, ids(t, o, 2))
		require.NoError(t, o.Done(ctx, "e2"))
		require.NoError(t, o.Done(ctx, "unknown"))
		require.Equal(t, []string{"e1", "e3"}, ids(t, o, 10))
	})

	t.Run("a kept event comes back as it was made, its data as JSON", func(t *testing.T) {
		o := newOutbox(t)
		want := event("e1")
		require.NoError(t, o.Add(ctx, want))
		pending, err := o.Pending(ctx, 1)
		require.NoError(t, err)
		require.Len(t, pending, 1)
		got := pending[0]
		require.True(t, want.OccurredAt.Equal(got.OccurredAt))
		wantData, err := json.Marshal(want.Data)
		require.NoError(t, err)
		require.JSONEq(t, string(wantData), string(got.Data.(json.RawMessage)))
		got.OccurredAt, got.Data, want.Data = want.OccurredAt, nil, nil
		require.Equal(t, want, got)
	})
}
