package rabbitmq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cenkalti/backoff/v5"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/order-saga/shop/internal/config"
)

// ErrReject marks a message the handler can never process (malformed, say): it goes to the
// dead-letter queue instead of coming back. Wrap it: fmt.Errorf("decode: %w", rabbitmq.ErrReject).
var ErrReject = errors.New("message rejected")

// Subscription is a durable queue bound to the events exchange, with its dead-letter queue.
type Subscription struct {
	Exchange string
	Queue    string   // durable; its dead letters go to Queue+".dead"
	Bindings []string // routing keys, e.g. "order.#"
	Prefetch int      // unacknowledged messages in flight at once
	// Consuming, when set, hears true once the queue is declared, bound and consumed from, and false
	// when that stops (a readiness check: events published before are not the queue's to keep).
	Consuming func(bool)
	// Metrics, when set, counts settled messages and their lag and watches the queues' depths every
	// DepthInterval (DefaultDepthInterval when 0).
	Metrics       *ConsumerMetrics
	DepthInterval time.Duration
}

// DeadLetterQueue is where a subscription's rejected messages wait for a person.
func (s Subscription) DeadLetterQueue() string { return s.Queue + ".dead" }

func (s Subscription) deadLetterExchange() string { return s.Queue + ".dlx" }

// Handler processes one message. nil acknowledges it; an error wrapping ErrReject dead-letters it;
// any other error is taken as passing (the store is down, say): the handler is called again with the
// same message after a backoff, and meanwhile the rest wait in the queue.
type Handler func(ctx context.Context, d amqp.Delivery) error

// RejectOn adapts a handler of message bodies that names, with a sentinel of its own (poison), the
// messages it can never process: those are dead-lettered (ErrReject), any other error is retried. So
// a use case says "never" in its own terms and needs no import of this package.
func RejectOn(poison error, h func(ctx context.Context, body []byte) error) Handler {
	return func(ctx context.Context, d amqp.Delivery) error {
		err := h(ctx, d.Body)
		if errors.Is(err, poison) {
			return fmt.Errorf("%w: %w", err, ErrReject)
		}
		return err
	}
}

// Consume runs h over the subscription's messages until ctx ends, reconnecting with backoff when the
// connection drops. Messages are acknowledged one by one, after h is done with them, so nothing is
// lost when the process stops half-way: an unacknowledged message is delivered again.
func Consume(ctx context.Context, url string, sub Subscription, h Handler, log *slog.Logger) error {
	log = log.With("component", "rabbitmq-consumer", "queue", sub.Queue)
	for {
		err := consumeOnce(ctx, url, sub, h, log)
		if ctx.Err() != nil {
			return nil
		}
		log.Warn("consumer stopped; reconnecting", "error", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}

// Declare declares the exchange, the queue with its dead-letter exchange and queue, and the bindings.
func Declare(ch *amqp.Channel, sub Subscription) error {
	if err := DeclareExchange(ch, sub.Exchange); err != nil {
		return err
	}
	if err := ch.ExchangeDeclare(sub.deadLetterExchange(), amqp.ExchangeFanout, true, false, false, false, nil); err != nil {
		return fmt.Errorf("declare exchange %s: %w", sub.deadLetterExchange(), err)
	}
	if _, err := ch.QueueDeclare(sub.DeadLetterQueue(), true, false, false, false, nil); err != nil {
		return fmt.Errorf("declare queue %s: %w", sub.DeadLetterQueue(), err)
	}
	if err := ch.QueueBind(sub.DeadLetterQueue(), "", sub.deadLetterExchange(), false, nil); err != nil {
		return fmt.Errorf("bind %s: %w", sub.DeadLetterQueue(), err)
	}
	args := amqp.Table{"x-dead-letter-exchange": sub.deadLetterExchange()}
	if _, err := ch.QueueDeclare(sub.Queue, true, false, false, false, args); err != nil {
		return fmt.Errorf("declare queue %s: %w", sub.Queue, err)
	}
	for _, key := range sub.Bindings {
		if err := ch.QueueBind(sub.Queue, key, sub.Exchange, false, nil); err != nil {
			return fmt.Errorf("bind %s to %s: %w", sub.Queue, key, err)
		}
	}
	return nil
}

func consumeOnce(ctx context.Context, url string, sub Subscription, h Handler, log *slog.Logger) error {
	conn, err := amqp.DialConfig(url, amqp.Config{
		Heartbeat:  10 * time.Second,
		Properties: amqp.Table{"connection_name": "consumer " + sub.Queue},
	})
	if err != nil {
		return fmt.Errorf("dial %s: %w", config.RedactURL(url), err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("open channel: %w", err)
	}
	if err := Declare(ch, sub); err != nil {
		return err
	}
	if err := ch.Qos(max(sub.Prefetch, 1), 0, false); err != nil {
		return fmt.Errorf("set prefetch: %w", err)
	}
	deliveries, err := ch.ConsumeWithContext(ctx, sub.Queue, "", false, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("consume %s: %w", sub.Queue, err)
	}
	log.Info("consuming", "bindings", sub.Bindings, "prefetch", sub.Prefetch)
	sub.Metrics.start(sub)
	depthCtx, stopDepths := context.WithCancel(ctx)
	depthsDone := make(chan struct{})
	go func() {
		defer close(depthsDone)
		sub.Metrics.watchDepths(depthCtx, conn, sub, log)
	}()
	defer func() { stopDepths(); <-depthsDone }()
	if sub.Consuming != nil {
		sub.Consuming(true)
		defer sub.Consuming(false)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case d, ok := <-deliveries:
			if !ok {
				return errors.New("delivery channel closed")
			}
			if err := handle(ctx, d, h, sub, log); err != nil {
				return err
			}
		}
	}
}

// handle runs h on d until it succeeds or rejects, waiting between tries, then settles d.
func handle(ctx context.Context, d amqp.Delivery, h Handler, sub Subscription, log *slog.Logger) error {
	eb := backoff.NewExponentialBackOff()
	eb.InitialInterval = 200 * time.Millisecond
	eb.MaxInterval = 5 * time.Second
	tries := 0
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		tries++
		err := h(ctx, d)
		switch {
		case err == nil:
			return struct{}{}, nil
		case errors.Is(err, ErrReject):
			return struct{}{}, backoff.Permanent(err)
		default:
			if tries == 1 || tries%10 == 0 {
				log.Warn("message not processed yet; it waits and is tried again",
					"messageId", d.MessageId, "type", d.Type, "tries", tries, "error", err)
			}
			return struct{}{}, err
		}
	}, backoff.WithBackOff(eb), backoff.WithMaxElapsedTime(0))
	switch {
	case err == nil:
		if err := d.Ack(false); err != nil {
			return err
		}
		sub.Metrics.acked(sub.Queue, d)
		return nil
	case errors.Is(err, ErrReject):
		log.Error("message dead-lettered", "messageId", d.MessageId, "type", d.Type, "error", err)
		if err := d.Nack(false, false); err != nil {
			return err
		}
		sub.Metrics.deadLettered(sub.Queue)
		return nil
	default: // ctx ended: the message goes back to the queue for the next consumer
		_ = d.Nack(false, true)
		return nil
	}
}
