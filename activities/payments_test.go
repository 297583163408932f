package activities_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/order-saga/shop/activities"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

// recorder is a fake activities.Recorder: it fails with err, and counts the transitions it was given.
type recorder struct {
	err         error
	transitions atomic.Int64
}

func (r *recorder) Record(_ context.Context, transitions ...orders.Order) error {
	r.transitions.Add(int64(len(transitions)))
	return r.err
}

// gateway is a fake activities.PaymentGateway whose authorization answers err.
type gateway struct {
	activities.PaymentGateway
	err        error
	authorized atomic.Int64
}

func (g *gateway) Authorize(context.Context, string, string, string, domain.Money) (string, error) {
	g.authorized.Add(1)
	return "pay_o1", g.err
}

// TestRecordThenAuthorize: the record and the authorization both run whatever the other does; the
// step answers the decline first (the saga's decision), then a failed record (a retry), then the
// payment.
func TestRecordThenAuthorize(t *testing.T) {
	brokerAway := errors.New("broker away")
	tests := []struct {
		name         string
		recordErr    error
		authorizeErr error
		wantID       string
		wantErr      error
		declined     bool
	}{
		{name: "both done", wantID: "pay_o1"},
		{name: "the record failed: the step retries", recordErr: brokerAway, wantErr: brokerAway},
		{name: "declined: the saga's answer, whatever the record did", recordErr: brokerAway, authorizeErr: domain.ErrPaymentDeclined, declined: true},
		{name: "the provider away: the step retries", authorizeErr: brokerAway, wantErr: brokerAway},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, gw := &recorder{err: tt.recordErr}, &gateway{err: tt.authorizeErr}
			steps := activities.OrderSteps{Orders: &activities.Orders{Recorder: rec}, Payments: &activities.Payments{Gateway: gw}}
			id, err := steps.RecordThenAuthorize(context.Background(), activities.RecordThenAuthorizeInput{
				Earlier: []orders.Order{{OrderID: "o1", Seq: 1}}, Record: orders.Order{OrderID: "o1", Seq: 2},
				Payment: activities.AuthorizePaymentInput{OrderID: "o1", Token: "tok_visa", AmountMinor: 100, Currency: "USD"},
			})
			require.EqualValues(t, 2, rec.transitions.Load(), "both transitions recorded")
			require.EqualValues(t, 1, gw.authorized.Load(), "the payment authorized")
			switch {
			case tt.declined:
				var appErr *temporal.ApplicationError
				require.ErrorAs(t, err, &appErr)
				require.True(t, appErr.NonRetryable())
				require.Equal(t, activities.ErrTypePaymentDeclined, appErr.Type())
			case tt.wantErr != nil:
				require.ErrorIs(t, err, tt.wantErr)
			default:
				require.NoError(t, err)
				require.Equal(t, tt.wantID, id)
			}
		})
	}
}
