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
	outcomes := []struct {
		name   string
		err    error
		reject bool
	}{
		{name: "done", err: nil},
		{name: "poison, wrapped", err: fmt.Errorf("event x: %w", poison), reject: true},
		{name: "a passing error", err: away},
	}
	// One batch with a message of each outcome: each is judged on its own.
	var got [][]byte
	h := rabbitmq.RejectOn(poison, func(_ context.Context, bodies [][]byte) []error {
		got = bodies
		errs := make([]error, len(bodies))
		for i := range bodies {
			errs[i] = outcomes[i].err
		}
		return errs
	})
	batch := make([]amqp.Delivery, len(outcomes))
	for i, o := range outcomes {
		batch[i] = amqp.Delivery{Body: []byte(o.name)}
	}
	errs := h(context.Background(), batch)
	require.Len(t, errs, len(outcomes))
	for i, o := range outcomes {
		require.Equal(t, []byte(o.name), got[i], "the handler sees each message's body, in order")
		require.ErrorIs(t, errs[i], o.err, o.name)
		require.Equal(t, o.reject, errors.Is(errs[i], rabbitmq.ErrReject), o.name)
	}
}

func TestEachHandlesEveryMessageOfABatchOnItsOwn(t *testing.T) {
	bad := errors.New("bad")
	var seen []string
	h := rabbitmq.Each(func(_ context.Context, d amqp.Delivery) error {
		seen = append(seen, d.MessageId)
		if d.MessageId == "b" {
			return bad
		}
		return nil
	})
	errs := h(context.Background(), []amqp.Delivery{{MessageId: "a"}, {MessageId: "b"}, {MessageId: "c"}})
	require.Equal(t, []string{"a", "b", "c"}, seen)
	require.NoError(t, errs[0])
	require.ErrorIs(t, errs[1], bad)
	require.NoError(t, errs[2])
}
