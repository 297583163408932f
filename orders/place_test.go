package orders_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/orders/idempotencytest"
	"github.com/order-saga/shop/orders/orderstest"
)

func TestPlace(t *testing.T) {
	ctx := context.Background()
	oneA := []orders.Item{{ProductCode: "A", Quantity: 1}}
	tests := []struct {
		name      string
		cmd       orders.PlaceOrder
		undecided bool
		want      orders.Placed
		fields    []string // of the validation error, when refused
	}{
		{name: "a valid order starts its saga and answers its decision",
			cmd:  orders.PlaceOrder{CustomerID: "c1", Items: oneA, PaymentToken: "tok_visa"},
			want: orders.Placed{Order: orders.Order{OrderID: "o1", CustomerID: "c1", Status: domain.StatusConfirmed}, Decided: true}},
		{name: "an undecided saga answers PENDING with the lines as submitted and its time, not decided",
			cmd:       orders.PlaceOrder{CustomerID: "c1", Items: []orders.Item{{ProductCode: "B", Quantity: 2}, {ProductCode: "A", Quantity: 1}, {ProductCode: "B", Quantity: 3}}},
			undecided: true,
			want: orders.Placed{Order: orders.Order{OrderID: "o1", CustomerID: "c1", Status: domain.StatusPending,
				Lines: []orders.Line{{ProductCode: "B", Quantity: 2}, {ProductCode: "A", Quantity: 1}, {ProductCode: "B", Quantity: 3}}, Steps: []orders.Step{}}}},
		{name: "no lines", cmd: orders.PlaceOrder{}, fields: []string{"items"}},
		{name: "bad lines, customer and token, all listed", fields: []string{"paymentToken", "customerId", "items[0].productCode", "items[1].quantity"},
			cmd: orders.PlaceOrder{CustomerID: "c\x00", PaymentToken: "tok visa",
				Items: []orders.Item{{ProductCode: "a#b", Quantity: 1}, {ProductCode: "B", Quantity: 0}}}},
		{name: "too many lines", cmd: orders.PlaceOrder{Items: make([]orders.Item, domain.MaxOrderLines+1)}, fields: []string{"items"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.sagas.Undecided = tt.undecided
			got, err := f.svc.Place(ctx, tt.cmd)
			if tt.fields != nil {
				var invalid *domain.ValidationError
				require.ErrorAs(t, err, &invalid)
				var fields []string
				for _, fe := range invalid.Fields {
					fields = append(fields, fe.Field)
				}
				require.Equal(t, tt.fields, fields)
				require.Empty(t, f.sagas.Started(), "nothing started")
				return
			}
			require.NoError(t, err)
			tt.want.Order.CreatedAt = f.now.Truncate(time.Millisecond)
			if tt.want.Decided {
				tt.want.Order.Lines = []orders.Line{{ProductCode: "A", Quantity: 1}}
			} else {
				tt.want.Order.UpdatedAt = tt.want.Order.CreatedAt
			}
			require.Equal(t, tt.want, got)
			require.Equal(t, []orders.Placement{{OrderID: "o1", CustomerID: tt.cmd.CustomerID, Items: tt.cmd.Items,
				PaymentToken: tt.cmd.PaymentToken, CreatedAt: f.now.Truncate(time.Millisecond)}}, f.sagas.Started())
			stored, err := f.store.Get(ctx, "o1")
			if tt.undecided { // stored for listings: the saga stores an order from its decision on
				require.NoError(t, err)
				require.Equal(t, got.Order, stored)
			} else {
				require.ErrorIs(t, err, domain.ErrNotFound, "a decided order is the saga's to store")
			}
		})
	}
}

// TestPlaceUndecidedWithTheStoreDown: the order runs on and is answered; why it is not listed is
// reported beside the answer, not as the request's failure (a client retrying it would place it twice).
func TestPlaceUndecidedWithTheStoreDown(t *testing.T) {
	sagas := &orderstest.FakeSagas{Undecided: true}
	svc := orders.NewService(orders.Ports{Sagas: sagas, Store: failingSaves{orderstest.NewMemoryStore()},
		Keys: &idempotencytest.MemoryStore{}, Events: &orderstest.RecordingEvents{}}, orders.Config{DecisionWait: time.Second})
	got, err := svc.Place(context.Background(), orders.PlaceOrder{CustomerID: "c1", Items: []orders.Item{{ProductCode: "A", Quantity: 1}}})
	require.NoError(t, err)
	require.False(t, got.Decided)
	require.Equal(t, domain.StatusPending, got.Order.Status)
	require.ErrorContains(t, got.Unlisted, "the store is down")
	require.Len(t, sagas.Started(), 1)
}

// failingSaves is an order store whose writes fail.
type failingSaves struct{ orders.Store }

func (failingSaves) Save(context.Context, orders.Order) error { return errors.New("the store is down") }

func TestPlaceCountsTheErrorsItDoesNotList(t *testing.T) {
	items := make([]orders.Item, domain.MaxOrderLines)
	for i := range items {
		items[i] = orders.Item{ProductCode: "a#b"}
	}
	_, err := newFixture(t, nil).svc.Place(context.Background(), orders.PlaceOrder{Items: items, PaymentToken: "tok visa"})
	var invalid *domain.ValidationError
	require.ErrorAs(t, err, &invalid)
	require.Len(t, invalid.Fields, domain.MaxFieldErrors)
	require.Equal(t, "paymentToken", invalid.Fields[0].Field)
	require.Equal(t, 2*domain.MaxOrderLines+1-domain.MaxFieldErrors, invalid.Omitted)
}

// TestPlaceWithIdempotencyKey: a key is scoped to its customer; the same key and request are the same
// order (its saga joined, or, once final, answered from the store); the same key with another request
// is refused without naming the order.
func TestPlaceWithIdempotencyKey(t *testing.T) {
	ctx := context.Background()
	first := orders.PlaceOrder{CustomerID: "c1", IdempotencyKey: "k",
		Items: []orders.Item{{ProductCode: "A", Quantity: 1}, {ProductCode: "B", Quantity: 2}}}
	sameMerged := orders.PlaceOrder{CustomerID: "c1", IdempotencyKey: "k",
		Items: []orders.Item{{ProductCode: "B", Quantity: 1}, {ProductCode: "A", Quantity: 1}, {ProductCode: "B", Quantity: 1}}}
	other := orders.PlaceOrder{CustomerID: "c1", IdempotencyKey: "k", Items: []orders.Item{{ProductCode: "A", Quantity: 1}}}
	theirs := orders.PlaceOrder{CustomerID: "c2", IdempotencyKey: "k", Items: []orders.Item{{ProductCode: "A", Quantity: 1}}}

	tests := []struct {
		name       string
		stored     domain.OrderStatus // of the first order in the store before the repeat; "" none
		repeat     orders.PlaceOrder
		wantID     string
		wantStatus domain.OrderStatus
		wantErr    error
		wantStarts int
	}{
		{name: "same request, order not stored yet: joins its saga", repeat: first, wantID: "o1", wantStatus: domain.StatusConfirmed, wantStarts: 2},
		{name: "lines merged per product are the same request", repeat: sameMerged, wantID: "o1", wantStatus: domain.StatusConfirmed, wantStarts: 2},
		{name: "same request, order undecided in the store: joins its saga", stored: domain.StatusReserved, repeat: first,
			wantID: "o1", wantStatus: domain.StatusConfirmed, wantStarts: 2},
		{name: "same request, order final: answered from the store", stored: domain.StatusFailed, repeat: first,
			wantID: "o1", wantStatus: domain.StatusFailed, wantStarts: 1},
		{name: "another request", repeat: other, wantErr: domain.ErrIdempotencyKeyReused, wantStarts: 1},
		{name: "another customer's equal key", repeat: theirs, wantID: "o2", wantStatus: domain.StatusConfirmed, wantStarts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			placed, err := f.svc.Place(ctx, first)
			require.NoError(t, err)
			require.Equal(t, "o1", placed.Order.OrderID)
			if tt.stored != "" {
				require.NoError(t, f.store.Save(ctx, orders.Order{OrderID: "o1", CustomerID: "c1", Status: tt.stored, Seq: 5}))
			}
			again, err := f.svc.Place(ctx, tt.repeat)
			require.ErrorIs(t, err, tt.wantErr)
			if tt.wantErr != nil {
				require.NotContains(t, err.Error(), "o1", "names no order")
			}
			require.Equal(t, tt.wantID, again.Order.OrderID)
			require.Equal(t, tt.wantStatus, again.Order.Status)
			require.Len(t, f.sagas.Started(), tt.wantStarts)
		})
	}

	t.Run("after its lifetime the key places a new order", func(t *testing.T) {
		f := newFixture(t, nil)
		_, err := f.svc.Place(ctx, first)
		require.NoError(t, err)
		f.now = f.now.Add(time.Hour)
		again, err := f.svc.Place(ctx, other)
		require.NoError(t, err)
		require.Equal(t, "o2", again.Order.OrderID)
	})
}
