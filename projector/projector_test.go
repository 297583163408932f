package projector_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/projector"
)

// readModel records the batches that reach it and answers err for each change.
type readModel struct {
	batches [][]projector.Change
	err     error
}

func (r *readModel) Apply(_ context.Context, changes []projector.Change) []error {
	r.batches = append(r.batches, changes)
	errs := make([]error, len(changes))
	for i := range errs {
		errs[i] = r.err
	}
	return errs
}

func TestApplySetsAsidePoisonAndPassesTheRest(t *testing.T) {
	for _, tc := range []struct {
		name   string
		body   string
		poison bool
		change string // the kind of change that reaches the read model, if any
	}{
		{name: "not json", body: `not json`, poison: true},
		{name: "no type", body: `{"id":"x","data":{}}`, poison: true},
		{name: "data of the wrong shape", body: `{"id":"x","type":"order.confirmed","data":{"orderId":42}}`, poison: true},
		{name: "order without seq", body: `{"id":"x","type":"order.confirmed","data":{"orderId":"o1"}}`, poison: true},
		{name: "stock without product", body: `{"id":"x","type":"inventory.stock.reserved","data":{"seq":1}}`, poison: true},
		{name: "product without updatedAt", body: `{"id":"x","type":"inventory.product.created","data":{"productCode":"P1"}}`, poison: true},
		{name: "an order step", body: `{"id":"x","type":"order.confirmed","data":{"orderId":"o1","seq":3}}`, change: "order"},
		{name: "a stock entry", body: `{"id":"x","type":"inventory.stock.reserved","data":{"productCode":"P1","seq":2}}`, change: "stock"},
		{name: "a product", body: `{"id":"x","type":"inventory.product.updated","data":{"productCode":"P1","updatedAt":"2026-11-26T10:00:00Z"}}`, change: "product"},
		{name: "an event the read model does not need", body: `{"id":"x","type":"inventory.stock.low","data":{}}`},
		{name: "an unknown type", body: `{"id":"x","type":"payment.captured","data":{}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rm := &readModel{}
			errs := projector.Apply(context.Background(), rm, [][]byte{[]byte(tc.body)})
			require.Len(t, errs, 1)
			if tc.poison {
				require.ErrorIs(t, errs[0], projector.ErrPoison)
			} else {
				require.NoError(t, errs[0])
			}
			if tc.change == "" {
				require.Empty(t, rm.batches, "nothing reaches the read model")
				return
			}
			require.Len(t, rm.batches, 1)
			require.Len(t, rm.batches[0], 1)
			c := rm.batches[0][0]
			require.Equal(t, tc.change == "order", c.Order != nil)
			require.Equal(t, tc.change == "stock", c.Stock != nil)
			require.Equal(t, tc.change == "product", c.Product != nil)
		})
	}
}

// TestApplyAnswersEachBodyOfABatch: the read model gets the batch's changes in one call, and each
// body gets its own outcome, wherever it sits in the batch.
func TestApplyAnswersEachBodyOfABatch(t *testing.T) {
	away := errors.New("index away")
	bodies := [][]byte{
		[]byte(`{"id":"1","type":"order.placed","data":{"orderId":"o1","seq":1}}`),
		[]byte(`not json`),
		[]byte(`{"id":"2","type":"inventory.stock.low","data":{}}`),
		[]byte(`{"id":"3","type":"inventory.stock.reserved","data":{"productCode":"P1","seq":7}}`),
	}
	rm := &readModel{err: away}
	errs := projector.Apply(context.Background(), rm, bodies)
	require.Len(t, errs, 4)
	require.ErrorIs(t, errs[0], away)
	require.ErrorIs(t, errs[1], projector.ErrPoison)
	require.NoError(t, errs[2])
	require.ErrorIs(t, errs[3], away)
	require.Len(t, rm.batches, 1, "one call for the batch")
	require.Len(t, rm.batches[0], 2)
	require.Equal(t, "o1", rm.batches[0][0].Order.OrderID)
	require.Equal(t, int64(7), rm.batches[0][1].Stock.Seq)
}

func TestHandlerMarksOnlyPermanentReadModelErrorsPoison(t *testing.T) {
	refused, away := errors.New("document refused"), errors.New("connection refused")
	permanent := func(err error) bool { return errors.Is(err, refused) }
	body := [][]byte{[]byte(`{"id":"x","type":"order.confirmed","data":{"orderId":"o1","seq":3}}`)}

	errs := projector.Handler(&readModel{err: refused}, permanent)(context.Background(), body)
	require.ErrorIs(t, errs[0], projector.ErrPoison)
	require.ErrorIs(t, errs[0], refused)

	errs = projector.Handler(&readModel{err: away}, permanent)(context.Background(), body)
	require.ErrorIs(t, errs[0], away)
	require.NotErrorIs(t, errs[0], projector.ErrPoison, "a passing outage is retried, not set aside")

	require.Equal(t, []error{nil}, projector.Handler(&readModel{}, permanent)(context.Background(), body))
}
