package orders_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

func TestRecordPublishesTheTransitionsEvent(t *testing.T) {
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		status   domain.OrderStatus
		wantType string
	}{
		{domain.StatusPending, "order.placed"},
		{domain.StatusReserved, "order.reserved"},
		{domain.StatusConfirmed, "order.confirmed"},
		{domain.StatusCompleted, "order.completed"},
		{domain.StatusCancelled, "order.cancelled"},
		{domain.StatusFailed, "order.failed"},
		{domain.StatusRejected, "order.rejected"},
		{domain.StatusNeedsAttention, "order.needs_attention"},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			f := newFixture(t, nil)
			o := orders.Order{OrderID: "o1", CustomerID: "c1", Status: tt.status, Seq: 3, UpdatedAt: at}
			require.NoError(t, f.svc.Record(context.Background(), o))
			stored, err := f.store.Get(context.Background(), "o1")
			require.NoError(t, err)
			require.Equal(t, o, stored)
			require.Equal(t, []domain.Event{{ID: "order/o1/3", Type: tt.wantType, OccurredAt: at, Source: orders.Source,
				Subject: "o1", Data: o}}, f.events.Published())
		})
	}
}

// TestRecordIsIdempotentBySeq: recording a transition again (a retried activity) keeps one stored
// order and does not publish its confirmed event again; a late, older transition never overwrites a
// newer one (its event still goes out: nothing says it did before).
func TestRecordIsIdempotentBySeq(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	confirmed := orders.Order{OrderID: "o1", Status: domain.StatusConfirmed, Seq: 3}
	pending := orders.Order{OrderID: "o1", Status: domain.StatusPending, Seq: 1}
	require.NoError(t, f.svc.Record(ctx, confirmed))
	require.NoError(t, f.svc.Record(ctx, confirmed))
	require.NoError(t, f.svc.Record(ctx, pending))
	stored, err := f.store.Get(ctx, "o1")
	require.NoError(t, err)
	require.Equal(t, confirmed, stored)
	var ids []string
	for _, e := range f.events.Published() {
		ids = append(ids, e.ID)
	}
	require.Equal(t, []string{"order/o1/3", "order/o1/1"}, ids)
}

// TestRecordSkipsTheFirstReserved: the RESERVED straight after PENDING is not stored (the API shows
// the saga's live status over a stored PENDING), but published; a later RESERVED (after an operator's
// retry of a parked order) is stored.
func TestRecordSkipsTheFirstReserved(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		seq        int64
		wantStored domain.OrderStatus
	}{
		{name: "straight after PENDING", seq: 2, wantStored: domain.StatusPending},
		{name: "after an operator's retry", seq: 4, wantStored: domain.StatusReserved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			require.NoError(t, f.svc.Record(ctx, orders.Order{OrderID: "o1", Status: domain.StatusPending, Seq: 1}))
			require.NoError(t, f.svc.Record(ctx, orders.Order{OrderID: "o1", Status: domain.StatusReserved, Seq: tt.seq}))
			stored, err := f.store.Get(ctx, "o1")
			require.NoError(t, err)
			require.Equal(t, tt.wantStored, stored.Status)
			require.Len(t, f.events.Published(), 2, "both events go out")
		})
	}
}

func TestRecordFailsWhenTheBrokerRefuses(t *testing.T) {
	f := newFixture(t, nil)
	f.events.Fail = errors.New("broker away")
	o := orders.Order{OrderID: "o1", Status: domain.StatusConfirmed, Seq: 3}
	require.ErrorIs(t, f.svc.Record(context.Background(), o), f.events.Fail, "the activity retries")
	stored, err := f.store.Get(context.Background(), "o1")
	require.NoError(t, err)
	require.Equal(t, o, stored, "stored already; the retry publishes")

	f.events.Fail = nil
	require.NoError(t, f.svc.Record(context.Background(), o), "the retry")
	require.Len(t, f.events.Published(), 1, "an event the broker refused goes out on the retry")
}

// TestRecordCountsEachTransitionOnce: a transition is counted when its event goes out for the first
// time in this process; a retried record (its event remembered) is not counted again, and a record
// whose event the broker refused is counted on the retry that publishes it.
func TestRecordCountsEachTransitionOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil)
	placed := orders.Order{OrderID: "o1", Status: domain.StatusPending, Seq: 1}
	parked := orders.Order{OrderID: "o1", Status: domain.StatusNeedsAttention, Seq: 2}
	require.NoError(t, f.svc.Record(ctx, placed))
	require.NoError(t, f.svc.Record(ctx, placed), "a retried record")
	f.events.Fail = errors.New("broker away")
	require.Error(t, f.svc.Record(ctx, parked))
	require.Equal(t, map[domain.OrderStatus]int{domain.StatusPending: 1}, f.counts.get(), "a refused event is not counted")
	f.events.Fail = nil
	require.NoError(t, f.svc.Record(ctx, parked))
	require.Equal(t, map[domain.OrderStatus]int{domain.StatusPending: 1, domain.StatusNeedsAttention: 1}, f.counts.get())
}

// TestRecordSeveralTransitionsAtOnce: transitions recorded together (PENDING and RESERVED ride with
// the authorization) publish one event each, oldest first, and store only the newest where the store
// keeps it; a retry publishes nothing again.
func TestRecordSeveralTransitionsAtOnce(t *testing.T) {
	ctx := context.Background()
	placed := orders.Order{OrderID: "o1", Status: domain.StatusPending, Seq: 1}
	tests := []struct {
		name       string
		newest     orders.Order
		wantStored domain.OrderStatus // "" for nothing stored
	}{
		{name: "placed and reserved: nothing stored before the decision",
			newest: orders.Order{OrderID: "o1", Status: domain.StatusReserved, Seq: 2}},
		{name: "placed and rejected: the rejection is stored",
			newest: orders.Order{OrderID: "o1", Status: domain.StatusRejected, Seq: 2}, wantStored: domain.StatusRejected},
		{name: "placed and parked: the parking is stored",
			newest: orders.Order{OrderID: "o1", Status: domain.StatusNeedsAttention, Seq: 2}, wantStored: domain.StatusNeedsAttention},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			require.NoError(t, f.svc.Record(ctx, placed, tt.newest))
			require.NoError(t, f.svc.Record(ctx, placed, tt.newest), "a retried step")
			var ids []string
			for _, e := range f.events.Published() {
				ids = append(ids, e.ID)
			}
			require.Equal(t, []string{"order/o1/1", "order/o1/2"}, ids, "one event each, oldest first, once")
			stored, err := f.store.Get(ctx, "o1")
			if tt.wantStored == "" {
				require.ErrorIs(t, err, domain.ErrNotFound)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.newest, stored)
		})
	}
}
