package rabbitmq_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/internal/rabbitmq"
)

func TestRejectOnDeadLettersOnlyTheHandlersPoison(t *testing.T) {
	poison, away := errors.New("poison"), errors.New("store away")
	for _, tc := range []struct {
		name   string
		err    error
		reject bool
	}{
		{name: "done", err: nil},
		{name: "poison, wrapped", err: fmt.Errorf("event x: %w", poison), reject: true},
		{name: "a passing error", err: away},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []byte
			h := rabbitmq.RejectOn(poison, func(_ context.Context, body []byte) error {
				got = body
				return tc.err
			})
			err := h(context.Background(), amqp.Delivery{Body: []byte("body")})
			require.Equal(t, []byte("body"), got, "the handler sees the message body")
			require.ErrorIs(t, err, tc.err)
			require.Equal(t, tc.reject, errors.Is(err, rabbitmq.ErrReject))
		})
	}
}
