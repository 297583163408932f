package projector_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/inventory"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/projector"
)

// readModel counts what reaches it and answers err.
type readModel struct {
	applied int
	err     error
}

func (r *readModel) ApplyProduct(context.Context, inventory.ProductData) error {
	r.applied++
	return r.err
}

func (r *readModel) ApplyStock(context.Context, inventory.MovementData) error {
	r.applied++
	return r.err
}

func (r *readModel) ApplyOrder(context.Context, orders.Order) error {
	r.applied++
	return r.err
}

func TestApplySetsAsidePoisonAndPassesTheRest(t *testing.T) {
	for _, tc := range []struct {
		name    string
		body    string
		poison  bool
		applied int
	}{
		{name: "not json", body: `not json`, poison: true},
		{name: "no type", body: `{"id":"x","data":{}}`, poison: true},
		{name: "data of the wrong shape", body: `{"id":"x","type":"order.confirmed","data":{"orderId":42}}`, poison: true},
		{name: "order without seq", body: `{"id":"x","type":"order.confirmed","data":{"orderId":"o1"}}`, poison: true},
		{name: "stock without product", body: `{"id":"x","type":"inventory.stock.reserved","data":{"seq":1}}`, poison: true},
		{name: "product without updatedAt", body: `{"id":"x","type":"inventory.product.created","data":{"productCode":"P1"}}`, poison: true},
		{name: "an order step", body: `{"id":"x","type":"order.confirmed","data":{"orderId":"o1","seq":3}}`, applied: 1},
		{name: "an event the read model does not need", body: `{"id":"x","type":"inventory.stock.low","data":{}}`},
		{name: "an unknown type", body: `{"id":"x","type":"payment.captured","data":{}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rm := &readModel{}
			err := projector.Apply(context.Background(), rm, []byte(tc.body))
			if tc.poison {
				require.ErrorIs(t, err, projector.ErrPoison)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tc.applied, rm.applied)
		})
	}
}

func TestHandlerMarksOnlyPermanentReadModelErrorsPoison(t *testing.T) {
	refused, away := errors.New("document refused"), errors.New("connection refused")
	permanent := func(err error) bool { return errors.Is(err, refused) }
	body := []byte(`{"id":"x","type":"order.confirmed","data":{"orderId":"o1","seq":3}}`)

	err := projector.Handler(&readModel{err: refused}, permanent)(context.Background(), body)
	require.ErrorIs(t, err, projector.ErrPoison)
	require.ErrorIs(t, err, refused)

	err = projector.Handler(&readModel{err: away}, permanent)(context.Background(), body)
	require.ErrorIs(t, err, away)
	require.NotErrorIs(t, err, projector.ErrPoison, "a passing outage is retried, not set aside")

	require.NoError(t, projector.Handler(&readModel{}, permanent)(context.Background(), body))
}
