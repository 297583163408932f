package rabbitmq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Every durable queue the system declares is a quorum queue: replicated across the nodes of a
// cluster, and the same declaration works on a single node.
const queueTypeQuorum = "quorum"

// UnroutedSuffix names, after an events exchange's name, its alternate exchange and the quorum queue
// bound to it: an event no binding matched waits there instead of vanishing.
const UnroutedSuffix = ".unrouted"

// Unrouted is the alternate exchange of exchange, and the name of the queue that keeps what it takes.
func Unrouted(exchange string) string { return exchange + UnroutedSuffix }

// queueSpec is a durable queue as this version declares it: its arguments and its bindings.
type queueSpec struct {
	Name     string
	Args     amqp.Table
	Bindings []binding
}

type binding struct {
	Exchange string
	Key      string
}

func quorumArgs() amqp.Table { return amqp.Table{"x-queue-type": queueTypeQuorum} }

// DeclareExchange declares the durable topic exchange that carries every event, with an alternate
// exchange (fanout, Unrouted(name)) bound to a quorum queue of the same name: the broker puts there
// every event that no subscriber's binding matches (before the projector first declared its queue,
// say, or with no projector at all), so publishing never depends on a subscriber existing and no
// event is dropped unseen. Publishers and consumers both declare it, so neither depends on the
// other starting first.
//
// An exchange of the same name declared by an earlier version, without the alternate exchange, is
// used as it is (an exchange's arguments cannot change, and deleting it would drop every queue's
// bindings under running consumers): the warning says how to upgrade it. Meanwhile publishes are
// still mandatory, so an event no queue takes fails with ErrUnroutable and its caller retries.
func DeclareExchange(ctx context.Context, conn *amqp.Connection, name string, log *slog.Logger) error {
	ae := Unrouted(name)
	if err := withChannel(conn, func(ch *amqp.Channel) error {
		return ch.ExchangeDeclare(ae, amqp.ExchangeFanout, true, false, false, false, nil)
	}); err != nil {
		return fmt.Errorf("declare exchange %s: %w", ae, err)
	}
	if err := declareQueue(ctx, conn, queueSpec{Name: ae, Args: quorumArgs(), Bindings: []binding{{Exchange: ae}}}, log); err != nil {
		return err
	}
	err := withChannel(conn, func(ch *amqp.Channel) error {
		return ch.ExchangeDeclare(name, amqp.ExchangeTopic, true, false, false, false, amqp.Table{"alternate-exchange": ae})
	})
	if !isCode(err, amqp.PreconditionFailed) {
		if err != nil {
			return fmt.Errorf("declare exchange %s: %w", name, err)
		}
		return nil
	}
	if err := withChannel(conn, func(ch *amqp.Channel) error {
		return ch.ExchangeDeclarePassive(name, amqp.ExchangeTopic, true, false, false, false, nil)
	}); err != nil {
		return fmt.Errorf("declare exchange %s: %w", name, err)
	}
	log.Warn("exchange declared by an earlier version, without an alternate exchange: an event no queue is bound for "+
		"fails its publish (ErrUnroutable) and is retried instead of waiting in the unrouted queue. To upgrade: stop the "+
		"services and the projector, delete the exchange, start them again (they declare it anew and rebind)",
		"exchange", name, "alternateExchange", ae, "reason", err)
	return nil
}

// declareQueue declares q with its arguments and bindings. A queue of that name with other
// arguments (a classic queue of an earlier version: redeclaring it fails with 406 PRECONDITION_FAILED)
// is migrated, its messages kept; a migration an earlier run left half-way is finished.
func declareQueue(ctx context.Context, conn *amqp.Connection, q queueSpec, log *slog.Logger) error {
	err := withChannel(conn, func(ch *amqp.Channel) error {
		_, err := ch.QueueDeclare(q.Name, true, false, false, false, q.Args)
		return err
	})
	switch {
	case isCode(err, amqp.PreconditionFailed):
		log.Warn("queue exists with other arguments (a classic queue of an earlier version?): migrating it, messages kept",
			"migratedQueue", q.Name, "reason", err)
		return migrate(ctx, conn, q, log)
	case err != nil:
		return fmt.Errorf("declare queue %s: %w", q.Name, err)
	}
	if err := bind(conn, q.Name, q.Bindings); err != nil {
		return err
	}
	return finishMigration(ctx, conn, q, log)
}

func bind(conn *amqp.Connection, queue string, bindings []binding) error {
	return withChannel(conn, func(ch *amqp.Channel) error {
		for _, b := range bindings {
			if err := ch.QueueBind(queue, b.Key, b.Exchange, false, nil); err != nil {
				return fmt.Errorf("bind %s to %s with %q: %w", queue, b.Exchange, b.Key, err)
			}
		}
		return nil
	})
}

func unbind(conn *amqp.Connection, queue string, bindings []binding) error {
	return withChannel(conn, func(ch *amqp.Channel) error {
		for _, b := range bindings {
			if err := ch.QueueUnbind(queue, b.Key, b.Exchange, nil); err != nil {
				return fmt.Errorf("unbind %s from %s with %q: %w", queue, b.Exchange, b.Key, err)
			}
		}
		return nil
	})
}

// withChannel runs f on a channel of its own, closed afterwards: a refused declaration closes the
// channel it was made on, and that must cost nobody else theirs.
func withChannel(conn *amqp.Connection, f func(ch *amqp.Channel) error) error {
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("open channel: %w", err)
	}
	err = f(ch)
	if cerr := ch.Close(); cerr != nil && err == nil && !errors.Is(cerr, amqp.ErrClosed) {
		err = fmt.Errorf("close channel: %w", cerr)
	}
	return err
}

// isCode reports whether err is the broker's refusal with the given reply code.
func isCode(err error, code int) bool {
	var ae *amqp.Error
	return errors.As(err, &ae) && ae.Code == code
}
