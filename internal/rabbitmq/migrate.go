package rabbitmq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// A queue's type and arguments cannot change once it exists: redeclaring a classic queue of an
// earlier version as a quorum queue fails with 406 PRECONDITION_FAILED. The migration below moves
// such a queue's messages into a quorum queue of the same name without losing one, while publishers
// keep publishing:
//
//  1. a holding quorum queue <name>.migrating gets the queue's bindings, and only then does the old
//     queue lose them: from here on new messages wait in the holding queue;
//  2. the old queue's messages move into the holding queue (each published with a confirm before it
//     is acknowledged: a crash half-way duplicates, never loses), and the old queue is deleted once
//     it holds no message and nobody reads it;
//  3. the queue is declared anew, as this version declares it, with its bindings;
//  4. the holding queue loses its bindings, its messages move into the new queue, it is deleted.
//
// Every step can run again, so a migration interrupted anywhere finishes at the next declaration
// (declareQueue looks for a holding queue each time, with a probe message: see queueExists). Consumers see messages out of their original
// order and perhaps twice; the projector tolerates both. A process of the earlier version still
// reading the old queue stops the migration at step 2 with ErrQueueInUse until it goes away (its
// messages are not lost: the old queue keeps them). Quorum queues refuse the if-unused and if-empty
// conditions on delete, so a queue is deleted after a passive declaration found it idle; an exclusive
// lock queue keeps two migrating processes from getting in each other's way.

// MigratingSuffix names, after a queue's name, the holding queue of its migration.
const MigratingSuffix = ".migrating"

// ErrQueueInUse is returned while a queue to migrate still has consumers or messages that are not
// this process's to move; the migration continues at the next declaration.
var ErrQueueInUse = errors.New("queue still in use")

// moveIdle is how long a move waits without a delivery before it asks whether the source is empty.
const moveIdle = 250 * time.Millisecond

// idleWait is how long deleteIdle waits for a queue to have neither consumers nor messages.
const idleWait = 5 * time.Second

// Log records name the queue migratedQueue: the consumer's logger already carries its own "queue".
func migrate(ctx context.Context, conn *amqp.Connection, q queueSpec, log *slog.Logger) error {
	unlock, err := lockMigration(conn, q.Name)
	if err != nil {
		return err
	}
	defer unlock()
	holding := q.Name + MigratingSuffix
	if err := declareHolding(conn, holding, q.Bindings); err != nil {
		return err
	}
	if err := unbind(conn, q.Name, q.Bindings); err != nil {
		return fmt.Errorf("migrate %s: %w", q.Name, err)
	}
	moved, err := move(ctx, conn, q.Name, holding)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", q.Name, err)
	}
	if err := deleteIdle(ctx, conn, q.Name); err != nil {
		return fmt.Errorf("migrate %s (%d message(s) moved to %s so far): %w", q.Name, moved, holding, err)
	}
	log.Info("old queue emptied and deleted", "migratedQueue", q.Name, "moved", moved, "holding", holding)
	err = withChannel(conn, func(ch *amqp.Channel) error {
		_, err := ch.QueueDeclare(q.Name, true, false, false, false, q.Args)
		return err
	})
	if err != nil {
		return fmt.Errorf("migrate %s: declare it anew: %w", q.Name, err)
	}
	if err := bind(conn, q.Name, q.Bindings); err != nil {
		return fmt.Errorf("migrate %s: %w", q.Name, err)
	}
	return drainHolding(ctx, conn, q, holding, log)
}

// finishMigration completes a migration an earlier run left after step 3: the holding queue exists.
func finishMigration(ctx context.Context, conn *amqp.Connection, q queueSpec, log *slog.Logger) error {
	holding := q.Name + MigratingSuffix
	exists, err := queueExists(ctx, conn, holding)
	if err != nil || !exists { // not existing is the usual case: no migration under way
		return err
	}
	unlock, err := lockMigration(conn, q.Name)
	if err != nil {
		return err
	}
	defer unlock()
	log.Warn("finishing the migration of a queue", "migratedQueue", q.Name, "holding", holding)
	return drainHolding(ctx, conn, q, holding, log)
}

// probeType marks the message queueExists sends; a move drops it.
const probeType = "rabbitmq.queue-probe"

// queueExists asks the broker whether a queue exists by publishing a mandatory probe to it through
// the default exchange: the broker returns it when there is no such queue. A passive declaration
// would answer too, but a missing queue closes its channel with 404 and the broker logs an error,
// and this runs at every connection. The probe expires at once if it lands.
func queueExists(ctx context.Context, conn *amqp.Connection, queue string) (bool, error) {
	var exists bool
	err := withChannel(conn, func(ch *amqp.Channel) error {
		c, err := newConfirmer(ch)
		if err != nil {
			return err
		}
		err = wait(ctx, c, "", queue, amqp.Publishing{Type: probeType, Expiration: "0"})
		switch {
		case errors.Is(err, ErrUnroutable):
			return nil
		case err != nil:
			return fmt.Errorf("probe for queue %s: %w", queue, err)
		}
		exists = true
		return nil
	})
	return exists, err
}

// drainHolding is step 4.
func drainHolding(ctx context.Context, conn *amqp.Connection, q queueSpec, holding string, log *slog.Logger) error {
	if err := unbind(conn, holding, q.Bindings); err != nil {
		return fmt.Errorf("migrate %s: %w", q.Name, err)
	}
	moved, err := move(ctx, conn, holding, q.Name)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", q.Name, err)
	}
	if err := deleteIdle(ctx, conn, holding); err != nil {
		return fmt.Errorf("migrate %s: %w", q.Name, err)
	}
	log.Info("queue migrated", "migratedQueue", q.Name, "movedFromHolding", moved)
	return nil
}

func declareHolding(conn *amqp.Connection, holding string, bindings []binding) error {
	err := withChannel(conn, func(ch *amqp.Channel) error {
		_, err := ch.QueueDeclare(holding, true, false, false, false, quorumArgs())
		return err
	})
	if err != nil {
		return fmt.Errorf("declare holding queue %s: %w", holding, err)
	}
	return bind(conn, holding, bindings)
}

// lockMigration takes an exclusive (connection-owned) queue as a lock on queue's migration; another
// process holding it makes this one fail, to try again at its next declaration.
func lockMigration(conn *amqp.Connection, queue string) (unlock func(), err error) {
	lock := queue + ".migration-lock"
	err = withChannel(conn, func(ch *amqp.Channel) error {
		_, err := ch.QueueDeclare(lock, false, false, true, false, nil)
		return err
	})
	if isCode(err, amqp.ResourceLocked) {
		return nil, fmt.Errorf("migrate %s: another process is migrating it: %w", queue, ErrQueueInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("migrate %s: take lock %s: %w", queue, lock, err)
	}
	return func() {
		_ = withChannel(conn, func(ch *amqp.Channel) error {
			_, err := ch.QueueDelete(lock, false, false, false)
			return err
		})
	}, nil
}

// move takes every message from one queue into another, each published (mandatory, confirmed)
// before it is acknowledged, until the source has been empty for moveIdle. It returns how many moved.
func move(ctx context.Context, conn *amqp.Connection, from, to string) (int, error) {
	ch, err := conn.Channel()
	if err != nil {
		return 0, fmt.Errorf("move %s to %s: open channel: %w", from, to, err)
	}
	defer func() { _ = ch.Close() }() // anything not acknowledged goes back to from
	c, err := newConfirmer(ch)
	if err != nil {
		return 0, fmt.Errorf("move %s to %s: %w", from, to, err)
	}
	if err := ch.Qos(32, 0, false); err != nil {
		return 0, fmt.Errorf("move %s to %s: prefetch: %w", from, to, err)
	}
	const tag = "queue-migration"
	deliveries, err := ch.ConsumeWithContext(ctx, from, tag, false, false, false, false, nil)
	if err != nil {
		return 0, fmt.Errorf("move %s to %s: consume: %w", from, to, err)
	}
	moved := 0
	idle := time.NewTimer(moveIdle)
	defer idle.Stop()
	for {
		select {
		case d, ok := <-deliveries:
			if !ok {
				return moved, fmt.Errorf("move %s to %s: channel closed after %d message(s)", from, to, moved)
			}
			if d.Type == probeType {
				_ = d.Ack(false)
				continue
			}
			if err := forward(ctx, c, d, to); err != nil {
				_ = d.Nack(false, true)
				return moved, fmt.Errorf("move %s to %s: %w", from, to, err)
			}
			if err := d.Ack(false); err != nil {
				return moved, fmt.Errorf("move %s to %s: ack: %w", from, to, err)
			}
			moved++
			idle.Reset(moveIdle)
		case <-idle.C:
			q, err := ch.QueueDeclarePassive(from, true, false, false, false, nil)
			if err != nil {
				return moved, fmt.Errorf("move %s to %s: %w", from, to, err)
			}
			if q.Messages == 0 {
				// Stop consuming before the queue is inspected for deletion; whatever arrived
				// meanwhile goes back with the channel and keeps the queue from being deleted.
				if err := ch.Cancel(tag, false); err != nil {
					return moved, fmt.Errorf("move %s to %s: cancel: %w", from, to, err)
				}
				return moved, nil
			}
			idle.Reset(moveIdle)
		case <-ctx.Done():
			return moved, fmt.Errorf("move %s to %s: %w", from, to, ctx.Err())
		}
	}
}

// forward publishes d, as it came, to queue to through the default exchange and waits for the
// broker's confirm. The user-id property is left out: the broker refuses one that is not the
// publishing connection's user.
func forward(ctx context.Context, c *confirmer, d amqp.Delivery, to string) error {
	return wait(ctx, c, "", to, amqp.Publishing{
		Headers: d.Headers, ContentType: d.ContentType, ContentEncoding: d.ContentEncoding,
		DeliveryMode: d.DeliveryMode, Priority: d.Priority, CorrelationId: d.CorrelationId, ReplyTo: d.ReplyTo,
		Expiration: d.Expiration, MessageId: d.MessageId, Timestamp: d.Timestamp, Type: d.Type, AppId: d.AppId,
		Body: d.Body,
	})
}

// wait publishes pub through c and waits for its outcome.
func wait(ctx context.Context, c *confirmer, exchange, key string, pub amqp.Publishing) error {
	outcome, err := c.publish(ctx, exchange, key, pub)
	if err != nil {
		return err
	}
	select {
	case err := <-outcome:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// deleteIdle deletes queue once nobody reads it and it holds no message; a queue already gone is
// fine. A quorum queue learns of a closed consumer's channel a moment later, so its counts are asked
// again for a few seconds before the queue counts as in use.
func deleteIdle(ctx context.Context, conn *amqp.Connection, queue string) error {
	deadline := time.Now().Add(idleWait)
	for {
		var busy error
		err := withChannel(conn, func(ch *amqp.Channel) error {
			q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
			if isCode(err, amqp.NotFound) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("inspect %s: %w", queue, err)
			}
			if q.Consumers > 0 || q.Messages > 0 {
				busy = fmt.Errorf("%s has %d consumer(s) and %d message(s) left (a process of the earlier version still "+
					"reading it? stop it; its messages stay in the queue meanwhile): %w", queue, q.Consumers, q.Messages, ErrQueueInUse)
				return nil
			}
			if _, err := ch.QueueDelete(queue, false, false, false); err != nil {
				return fmt.Errorf("delete %s: %w", queue, err)
			}
			return nil
		})
		if err != nil || busy == nil {
			return err
		}
		if time.Now().After(deadline) {
			return busy
		}
		select {
		case <-ctx.Done():
			return busy
		case <-time.After(100 * time.Millisecond):
		}
	}
}
