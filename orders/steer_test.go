package orders_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

// TestSteering: cancel, fulfil and decide reach the saga, and what it refuses keeps its meaning; an
// order whose saga is gone (Temporal's retention) but which is stored has ended: a conflict, not a 404.
func TestSteering(t *testing.T) {
	ctx := context.Background()
	broken := errors.New("temporal unavailable")
	cancel := func(s *orders.Service) (orders.Order, error) { return s.Cancel(ctx, "o1", "changed my mind") }
	fulfill := func(s *orders.Service) (orders.Order, error) { return s.Fulfill(ctx, "o1") }
	retry := func(s *orders.Service) (orders.Order, error) {
		return s.Decide(ctx, "o1", orders.Decision{Action: orders.ActionRetry, Operator: "ann"})
	}
	compensate := func(s *orders.Service) (orders.Order, error) {
		return s.Decide(ctx, "o1", orders.Decision{Action: orders.ActionCompensate, Operator: "ann"})
	}
	tests := []struct {
		name       string
		saga       domain.OrderStatus // "" no saga
		stored     domain.OrderStatus // "" not stored
		sagaErr    error
		do         func(*orders.Service) (orders.Order, error)
		wantStatus domain.OrderStatus
		wantErr    error
	}{
		{name: "cancel a confirmed order", saga: domain.StatusConfirmed, do: cancel, wantStatus: domain.StatusCancelled},
		{name: "cancel a completed order", saga: domain.StatusCompleted, do: cancel, wantErr: domain.ErrConflict},
		{name: "cancel an unknown order", do: cancel, wantErr: domain.ErrNotFound},
		{name: "cancel an order whose saga is gone", stored: domain.StatusCompleted, do: cancel, wantErr: domain.ErrConflict},
		{name: "cancel while Temporal is away", saga: domain.StatusConfirmed, sagaErr: broken, do: cancel, wantErr: broken},
		{name: "fulfil a confirmed order", saga: domain.StatusConfirmed, do: fulfill, wantStatus: domain.StatusCompleted},
		{name: "fulfil a reserved order", saga: domain.StatusReserved, do: fulfill, wantErr: domain.ErrConflict},
		{name: "fulfil an order whose saga is gone", stored: domain.StatusCancelled, do: fulfill, wantErr: domain.ErrConflict},
		{name: "fulfil an unknown order", do: fulfill, wantErr: domain.ErrNotFound},
		{name: "retry a parked order", saga: domain.StatusNeedsAttention, do: retry, wantStatus: domain.StatusConfirmed},
		{name: "compensate a parked order", saga: domain.StatusNeedsAttention, do: compensate, wantStatus: domain.StatusCancelled},
		{name: "retry an order that is not parked", saga: domain.StatusConfirmed, do: retry, wantErr: domain.ErrConflict},
		{name: "compensate an unknown order", do: compensate, wantErr: domain.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			if tt.saga != "" {
				f.sagas.Put(orders.Order{OrderID: "o1", Status: tt.saga})
			}
			if tt.stored != "" {
				require.NoError(t, f.store.Save(ctx, orders.Order{OrderID: "o1", Status: tt.stored, Seq: 9}))
			}
			f.sagas.Err = tt.sagaErr
			got, err := tt.do(f.svc)
			require.ErrorIs(t, err, tt.wantErr)
			require.Equal(t, tt.wantStatus, got.Status)
		})
	}
}

func TestDecideRefusesAnUnknownAction(t *testing.T) {
	f := newFixture(t, nil)
	f.sagas.Put(orders.Order{OrderID: "o1", Status: domain.StatusNeedsAttention})
	_, err := f.svc.Decide(context.Background(), "o1", orders.Decision{Action: "skip"})
	var invalid *domain.ValidationError
	require.ErrorAs(t, err, &invalid)
	require.Equal(t, "action", invalid.Fields[0].Field)
	require.Empty(t, f.sagas.Decisions(), "nothing reached the saga")
}
