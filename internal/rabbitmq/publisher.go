// Package rabbitmq publishes the system's events to RabbitMQ and keeps the connection alive:
// amqp091 does not reconnect by itself, so the Publisher watches for a dropped connection or channel
// and dials again with exponential backoff while publishers wait for it.
package rabbitmq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/order-saga/shop/internal/config"
)

// ErrNotConnected is returned by Ping while the publisher is between connections.
var ErrNotConnected = errors.New("rabbitmq: not connected")

// Message is one event to publish. ID becomes the AMQP message-id, so consumers can recognise a
// message that a retry published twice.
type Message struct {
	ID         string
	RoutingKey string
	Type       string
	Timestamp  time.Time
	Body       []byte
}

// Publisher publishes persistent, mandatory messages to one durable topic exchange and waits for the
// broker's confirm of each; a message the broker returns as unroutable fails with ErrUnroutable. It
// is safe for concurrent use.
type Publisher struct {
	url      string
	exchange string
	log      *slog.Logger

	mu      sync.Mutex
	ch      *confirmer
	conn    *amqp.Connection
	ready   chan struct{} // closed while ch is usable; replaced when the connection drops
	closing chan struct{}
	done    chan struct{}
}

// NewPublisher dials the broker, declares the exchange and starts the reconnect loop. It returns an
// error if the first connection cannot be made before ctx ends.
func NewPublisher(ctx context.Context, url, exchange string, log *slog.Logger) (*Publisher, error) {
	p := &Publisher{
		url:      url,
		exchange: exchange,
		log:      log.With("component", "rabbitmq-publisher"),
		ready:    make(chan struct{}),
		closing:  make(chan struct{}),
		done:     make(chan struct{}),
	}
	conn, ch, err := p.connectWithBackoff(ctx)
	if err != nil {
		return nil, err
	}
	p.install(conn, ch)
	go p.watch(conn, ch)
	return p, nil
}

// Publish sends msg and returns once the broker has confirmed it. If the connection drops on the way
// it waits for the reconnect and publishes again, until ctx ends; a message may therefore arrive
// twice, with the same ID. A message no queue takes (no binding for its routing key, and no
// alternate exchange that keeps it) is not retried: the error wraps ErrUnroutable at once. The publish
// is a producer span of ctx's trace, and the message's headers carry it (traceparent, tracestate) to
// every consumer.
func (p *Publisher) Publish(ctx context.Context, msg Message) (err error) {
	ctx, span, headers := startPublish(ctx, p.exchange, msg)
	defer func() { endSpan(span, err) }()
	pub := amqp.Publishing{
		Headers:      headers,
		ContentType:  "application/json",
		DeliveryMode: amqp.Persistent,
		MessageId:    msg.ID,
		Type:         msg.Type,
		Timestamp:    msg.Timestamp,
		Body:         msg.Body,
	}
	for {
		ch, err := p.channel(ctx)
		if err != nil {
			return fmt.Errorf("publish %s %s: %w", msg.RoutingKey, msg.ID, err)
		}
		var outcome <-chan error
		outcome, err = ch.publish(ctx, p.exchange, msg.RoutingKey, pub)
		if err == nil {
			select {
			case err = <-outcome:
			case <-ctx.Done():
				err = ctx.Err()
			}
			if err == nil {
				return nil
			}
			if errors.Is(err, ErrUnroutable) {
				// Trying again on this topology would fare the same: the caller decides (Temporal's
				// retries, the outbox), and the message is not counted as delivered.
				p.log.WarnContext(ctx, "publish returned unroutable", "routingKey", msg.RoutingKey, "messageId", msg.ID, "error", err)
				return fmt.Errorf("publish %s %s: %w", msg.RoutingKey, msg.ID, err)
			}
		}
		if ctx.Err() != nil {
			return fmt.Errorf("publish %s %s: %w", msg.RoutingKey, msg.ID, err)
		}
		// A closed channel or a nack: the watch loop is reconnecting (or the broker refused once);
		// go round again on the next channel.
		p.log.WarnContext(ctx, "publish not confirmed, retrying", "routingKey", msg.RoutingKey, "messageId", msg.ID, "error", err)
		select {
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
		}
	}
}

// Ping reports whether the publisher holds an open connection; readiness probes call it.
func (p *Publisher) Ping(context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.ready:
		if p.conn != nil && !p.conn.IsClosed() {
			return nil
		}
	default:
	}
	return ErrNotConnected
}

// Close stops reconnecting and closes the connection.
func (p *Publisher) Close() error {
	select {
	case <-p.closing:
		return nil
	default:
	}
	close(p.closing)
	p.mu.Lock()
	conn := p.conn
	p.mu.Unlock()
	var err error
	if conn != nil {
		err = conn.Close()
	}
	<-p.done
	if err != nil && !errors.Is(err, amqp.ErrClosed) {
		return fmt.Errorf("rabbitmq close: %w", err)
	}
	return nil
}

// channel waits until a channel is usable or ctx ends.
func (p *Publisher) channel(ctx context.Context) (*confirmer, error) {
	for {
		p.mu.Lock()
		ready, ch := p.ready, p.ch
		p.mu.Unlock()
		select {
		case <-ready:
			return ch, nil
		case <-p.closing:
			return nil, errors.New("publisher closed")
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for rabbitmq connection: %w", ctx.Err())
		}
	}
}

func (p *Publisher) install(conn *amqp.Connection, ch *confirmer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.conn, p.ch = conn, ch
	close(p.ready)
}

// watch waits for the connection or channel to drop, then dials again until it succeeds or the
// publisher is closed.
func (p *Publisher) watch(conn *amqp.Connection, ch *confirmer) {
	defer close(p.done)
	for {
		connClosed := conn.NotifyClose(make(chan *amqp.Error, 1))
		chClosed := ch.ch.NotifyClose(make(chan *amqp.Error, 1))
		var reason *amqp.Error
		select {
		case reason = <-connClosed:
		case reason = <-chClosed:
		case <-p.closing:
			return
		}
		p.mu.Lock()
		p.ready = make(chan struct{})
		p.mu.Unlock()
		_ = conn.Close() // a dropped channel on a live connection: start afresh on both
		p.log.Warn("rabbitmq connection lost, reconnecting", "reason", reason)

		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-p.closing:
				cancel()
			case <-ctx.Done():
			}
		}()
		var err error
		conn, ch, err = p.connectWithBackoff(ctx)
		cancel()
		if err != nil {
			return // closed while reconnecting
		}
		p.install(conn, ch)
		p.log.Info("rabbitmq reconnected")
	}
}

func (p *Publisher) connectWithBackoff(ctx context.Context) (*amqp.Connection, *confirmer, error) {
	type pair struct {
		conn *amqp.Connection
		ch   *confirmer
	}
	eb := backoff.NewExponentialBackOff()
	eb.InitialInterval = 100 * time.Millisecond
	eb.MaxInterval = 5 * time.Second
	res, err := backoff.Retry(ctx, func() (pair, error) {
		conn, ch, err := p.connect(ctx)
		if err != nil {
			p.log.Debug("rabbitmq dial failed", "error", err)
		}
		return pair{conn, ch}, err
	}, backoff.WithBackOff(eb), backoff.WithMaxElapsedTime(0))
	if err != nil {
		return nil, nil, fmt.Errorf("rabbitmq connect %s: %w", config.RedactURL(p.url), err)
	}
	return res.conn, res.ch, nil
}

func (p *Publisher) connect(ctx context.Context) (*amqp.Connection, *confirmer, error) {
	conn, err := amqp.DialConfig(p.url, amqp.Config{
		Heartbeat: 10 * time.Second,
		// A readable name in the management UI, and the handle tests use to find this connection.
		Properties: amqp.Table{"connection_name": ConnectionName(p.exchange)},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("dial: %w", err)
	}
	if err := DeclareExchange(ctx, conn, p.exchange, p.log); err != nil {
		_ = conn.Close()
		return nil, nil, err
	}
	ch, err := conn.Channel()
	if err != nil {
		_ = conn.Close()
		return nil, nil, fmt.Errorf("open channel: %w", err)
	}
	c, err := newConfirmer(ch)
	if err != nil {
		_ = conn.Close()
		return nil, nil, err
	}
	return conn, c, nil
}

// ConnectionName is how a publisher's connection is named in the broker: by exchange and process.
func ConnectionName(exchange string) string {
	return fmt.Sprintf("publisher %s pid %d", exchange, os.Getpid())
}
