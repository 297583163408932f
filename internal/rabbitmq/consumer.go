package rabbitmq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/cenkalti/backoff/v5"
	amqp "github.com/rabbitmq/amqp091-go"
	"go.opentelemetry.io/otel/trace"

	"github.com/order-saga/shop/internal/config"
)

// ErrReject marks a message the handler can never process (malformed, say): it goes to the
// dead-letter queue instead of coming back. Wrap it: fmt.Errorf("decode: %w", rabbitmq.ErrReject).
var ErrReject = errors.New("message rejected")

// Subscription is a durable quorum queue bound to the events exchange, with its dead-letter queue.
type Subscription struct {
	Exchange string
	Queue    string   // durable; its dead letters go to Queue+".dead"
	Bindings []string // routing keys, e.g. "order.#"
	Prefetch int      // unacknowledged messages in flight at once, and the largest batch
	// BatchWait is how long a batch may gather after its first message before the handler gets it;
	// 0: only what has arrived already (see arrived).
	BatchWait time.Duration
	// DeliveryLimit is how many times the queue hands out one message before it dead-letters it
	// (x-delivery-limit; 0: no limit). See queueArgs.
	DeliveryLimit int
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

// Handler processes a batch of messages (one or more, in the order of delivery) and answers one
// error per message: nil acknowledges it; an error wrapping ErrReject dead-letters it; any other error
// is taken as passing (the store is down, say): the handler is called again with the messages that
// failed so after a backoff, and meanwhile the rest wait in the queue.
type Handler func(ctx context.Context, batch []amqp.Delivery) []error

// Each adapts a handler of one message at a time.
func Each(h func(ctx context.Context, d amqp.Delivery) error) Handler {
	return func(ctx context.Context, batch []amqp.Delivery) []error {
		errs := make([]error, len(batch))
		for i, d := range batch {
			errs[i] = h(ctx, d)
		}
		return errs
	}
}

// RejectOn adapts a handler of batches of message bodies that names, with a sentinel of its own
// (poison), the messages it can never process: those are dead-lettered (ErrReject), any other error
// is retried. So a use case says "never" in its own terms and needs no import of this package.
func RejectOn(poison error, h func(ctx context.Context, bodies [][]byte) []error) Handler {
	return func(ctx context.Context, batch []amqp.Delivery) []error {
		bodies := make([][]byte, len(batch))
		for i, d := range batch {
			bodies[i] = d.Body
		}
		errs := h(ctx, bodies)
		for i, err := range errs {
			if errors.Is(err, poison) {
				errs[i] = fmt.Errorf("%w: %w", err, ErrReject)
			}
		}
		return errs
	}
}

// Consume runs h over the subscription's messages until ctx ends, reconnecting with backoff when the
// connection drops. h gets batches of up to the prefetch (see arrived): what has arrived when it is
// free, and what arrives within the subscription's BatchWait after a batch's first message. Messages
// are acknowledged after h is done with them, so nothing is lost when the process stops half-way: an
// unacknowledged message is delivered again.
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
// A queue of an earlier version (classic) is migrated to a quorum queue of the same name, its
// messages kept (see migrate.go).
func Declare(ctx context.Context, conn *amqp.Connection, sub Subscription, log *slog.Logger) error {
	if err := DeclareExchange(ctx, conn, sub.Exchange, log); err != nil {
		return err
	}
	if err := withChannel(conn, func(ch *amqp.Channel) error {
		return ch.ExchangeDeclare(sub.deadLetterExchange(), amqp.ExchangeFanout, true, false, false, false, nil)
	}); err != nil {
		return fmt.Errorf("declare exchange %s: %w", sub.deadLetterExchange(), err)
	}
	dead := queueSpec{Name: sub.DeadLetterQueue(), Args: quorumArgs(), Bindings: []binding{{Exchange: sub.deadLetterExchange()}}}
	if err := declareQueue(ctx, conn, dead, log); err != nil {
		return err
	}
	main := queueSpec{Name: sub.Queue, Args: sub.queueArgs()}
	for _, key := range sub.Bindings {
		main.Bindings = append(main.Bindings, binding{Exchange: sub.Exchange, Key: key})
	}
	return declareQueue(ctx, conn, main, log)
}

// queueArgs are the arguments of the subscription's queue: a quorum queue that dead-letters
// at-least-once. By default a quorum queue dead-letters at most once: the message leaves the queue
// before the dead-letter queue has confirmed it, and one the dead-letter queue cannot take then (its
// leader away on a cluster, a missing binding) is gone. At least once, the queue keeps the message
// until the dead-letter queue confirms it, so a poison message always ends in the dead-letter queue.
// RabbitMQ allows that strategy only with overflow reject-publish (drop-head would drop messages
// unconfirmed); with no length limit set the queue never overflows, so it changes nothing else.
//
// The delivery limit is for the poison message a handler cannot even refuse: one that crashes the
// process. Quorum queues count redeliveries (x-delivery-count), and without a limit such a message
// would come back after every restart and stall the queue forever; past the limit it is dead-lettered,
// with reason delivery_limit, through the same at-least-once path. A message refused as poison is
// dead-lettered at its first delivery and never gets near the limit, and a message that waits for
// Elasticsearch is retried inside the process, not redelivered. The count also grows when a consumer
// stops with messages in hand (up to the prefetch each time), so the limit is set well above what
// restarts and deployments add; messages that a crash loop pushes past it wait in the dead-letter
// queue, where an operator moves them back.
func (s Subscription) queueArgs() amqp.Table {
	args := amqp.Table{
		"x-queue-type":           queueTypeQuorum,
		"x-dead-letter-exchange": s.deadLetterExchange(),
		"x-dead-letter-strategy": "at-least-once",
		"x-overflow":             "reject-publish",
	}
	if s.DeliveryLimit > 0 {
		args["x-delivery-limit"] = int64(s.DeliveryLimit)
	}
	return args
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
	if err := Declare(ctx, conn, sub, log); err != nil {
		return err
	}
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("open channel: %w", err)
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
			batch := arrived(d, deliveries, max(sub.Prefetch, 1), sub.BatchWait)
			sub.Metrics.batched(sub.Queue, len(batch))
			if err := handle(ctx, batch, h, sub, log); err != nil {
				return err
			}
		}
	}
}

// batchGap is how long arrived waits for a next message when the subscription sets no BatchWait.
// The client library hands over the messages it holds one at a time, from a goroutine of its own, so
// a message that has arrived is not always ready the instant the previous one is taken; a gap this
// short costs a quiet queue nothing it would notice, while a backlog comes over as a whole.
const batchGap = time.Millisecond

// arrived is first and the messages that follow it, up to limit: those that come within wait of
// first, or, when wait is 0, those that have arrived already (each ready within batchGap of the one
// before).
func arrived(first amqp.Delivery, deliveries <-chan amqp.Delivery, limit int, wait time.Duration) []amqp.Delivery {
	batch := []amqp.Delivery{first}
	if limit <= 1 {
		return batch
	}
	timer := time.NewTimer(max(wait, batchGap))
	defer timer.Stop()
	for len(batch) < limit {
		select {
		case d, ok := <-deliveries:
			if !ok {
				return batch // the next receive sees the channel closed
			}
			batch = append(batch, d)
			if wait == 0 {
				timer.Reset(batchGap)
			}
		case <-timer.C:
			return batch
		}
	}
	return batch
}

// handle runs h on the batch until every message has succeeded or been rejected, trying the ones
// that failed again after a backoff, and settles each. Each message's handling is a consumer span in
// the trace its headers carry; h's context holds that span for a batch of one and a span of the batch,
// linked to the messages' spans, for more.
func handle(ctx context.Context, batch []amqp.Delivery, h Handler, sub Subscription, log *slog.Logger) error {
	hctx, spans, endBatch := startBatch(ctx, sub.Queue, batch)
	defer endBatch()
	eb := backoff.NewExponentialBackOff()
	eb.InitialInterval = 200 * time.Millisecond
	eb.MaxInterval = 5 * time.Second
	pending := make([]int, len(batch)) // indices into batch of the messages not settled yet
	for i := range pending {
		pending[i] = i
	}
	for tries := 1; ; tries++ {
		ds := make([]amqp.Delivery, len(pending))
		for k, i := range pending {
			ds[k] = batch[i]
		}
		errs := h(hctx, ds)
		if len(errs) != len(ds) {
			return fmt.Errorf("handler answered %d outcomes for %d messages", len(errs), len(ds))
		}
		if tries == 1 && !slices.ContainsFunc(errs, func(err error) bool { return err != nil }) {
			return ackAll(batch, spans, sub) // the common case: one acknowledgement for the batch
		}
		var failed []int
		for k, i := range pending {
			d, err := batch[i], errs[k]
			switch {
			case err == nil:
				endSpan(spans[i], nil)
				if err := d.Ack(false); err != nil {
					return err
				}
				sub.Metrics.acked(sub.Queue, d)
			case errors.Is(err, ErrReject):
				endSpan(spans[i], err)
				log.ErrorContext(ctx, "message dead-lettered", "messageId", d.MessageId, "type", d.Type, "error", err)
				if err := d.Nack(false, false); err != nil {
					return err
				}
				sub.Metrics.deadLettered(sub.Queue)
			default:
				if tries == 1 || tries%10 == 0 {
					log.WarnContext(ctx, "message not processed yet; it waits and is tried again",
						"messageId", d.MessageId, "type", d.Type, "tries", tries, "error", err)
				}
				failed = append(failed, i)
			}
		}
		if len(failed) == 0 {
			return nil
		}
		pending = failed
		select {
		case <-ctx.Done(): // the messages go back to the queue for the next consumer
			for _, i := range pending {
				endSpan(spans[i], ctx.Err())
				_ = batch[i].Nack(false, true)
			}
			return nil
		case <-time.After(eb.NextBackOff()):
		}
	}
}

// ackAll acknowledges a whole batch in one go: every delivery before it on the channel is settled
// already, so acknowledging the last with multiple covers exactly the batch.
func ackAll(batch []amqp.Delivery, spans []trace.Span, sub Subscription) error {
	for _, span := range spans {
		endSpan(span, nil)
	}
	if err := batch[len(batch)-1].Ack(true); err != nil {
		return err
	}
	for _, d := range batch {
		sub.Metrics.acked(sub.Queue, d)
	}
	return nil
}
