package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/order-saga/shop/internal/rabbitmq"
)

// eventsExchange is the exchange the services publish every event to (their default).
const eventsExchange = "ecommerce.events"

// tapQueue is the suite's own durable queue on the exchange: bound before the first order, it keeps
// every event through broker restarts until the suite drains it at the end.
const tapQueue = "fault-suite.tap"

// declareTap declares the exchange and the suite's durable (quorum) queue bound with "#".
func declareTap(ctx context.Context, url string) error {
	conn, err := amqp.Dial(url)
	if err != nil {
		return fmt.Errorf("events tap: %w", err)
	}
	defer conn.Close()
	// As the services declare it (with its alternate exchange): any other declaration would be refused.
	if err := rabbitmq.DeclareExchange(ctx, conn, eventsExchange, slog.Default()); err != nil {
		return fmt.Errorf("events tap: %w", err)
	}
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("events tap: %w", err)
	}
	if _, err := ch.QueueDeclare(tapQueue, true, false, false, false, amqp.Table{"x-queue-type": "quorum"}); err != nil {
		return fmt.Errorf("events tap: declare queue: %w", err)
	}
	if err := ch.QueueBind(tapQueue, "#", eventsExchange, false, nil); err != nil {
		return fmt.Errorf("events tap: bind: %w", err)
	}
	return ctx.Err()
}

// envelope is the part of an event the suite reads.
type envelope struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Subject string `json:"subject"`
}

// eventLog is what the tap held: each distinct message once, by id, and how many copies came.
type eventLog struct {
	Messages   int                 // deliveries, duplicates included
	Unreadable int                 // bodies that were not an event envelope
	ByID       map[string]envelope // distinct events
	TypesOf    map[string][]string // subject -> event types (distinct events only)
}

func newEventLog() *eventLog {
	return &eventLog{ByID: map[string]envelope{}, TypesOf: map[string][]string{}}
}

// add takes one delivery: a repeat of an id already seen counts as a duplicate only.
func (l *eventLog) add(messageID string, body []byte) {
	l.Messages++
	var e envelope
	if err := json.Unmarshal(body, &e); err != nil || e.Type == "" {
		l.Unreadable++
		return
	}
	if e.ID == "" {
		e.ID = messageID
	}
	if _, seen := l.ByID[e.ID]; seen {
		return
	}
	l.ByID[e.ID] = e
	l.TypesOf[e.Subject] = append(l.TypesOf[e.Subject], e.Type)
}

// Duplicates is how many deliveries repeated an event already seen.
func (l *eventLog) Duplicates() int { return l.Messages - l.Unreadable - len(l.ByID) }

// has says whether an event of type typ about subject arrived.
func (l *eventLog) has(subject, typ string) bool {
	for _, t := range l.TypesOf[subject] {
		if t == typ {
			return true
		}
	}
	return false
}

// finalEventType is the routing key of the event an order's final status publishes.
func finalEventType(status string) string { return "order." + strings.ToLower(status) }

// drainTap reads the tap queue until it has been empty for quiet (or ctx ends).
func drainTap(ctx context.Context, url string, quiet time.Duration) (*eventLog, error) {
	conn, err := amqp.Dial(url)
	if err != nil {
		return nil, fmt.Errorf("drain events: %w", err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return nil, fmt.Errorf("drain events: %w", err)
	}
	if err := ch.Qos(500, 0, false); err != nil {
		return nil, fmt.Errorf("drain events: %w", err)
	}
	deliveries, err := ch.ConsumeWithContext(ctx, tapQueue, "fault-suite", false, false, false, false, nil)
	if err != nil {
		return nil, fmt.Errorf("drain events: %w", err)
	}
	log := newEventLog()
	timer := time.NewTimer(quiet)
	defer timer.Stop()
	for {
		select {
		case d, ok := <-deliveries:
			if !ok {
				return log, fmt.Errorf("drain events: channel closed after %d messages", log.Messages)
			}
			log.add(d.MessageId, d.Body)
			if err := d.Ack(false); err != nil {
				return log, fmt.Errorf("drain events: ack: %w", err)
			}
			timer.Reset(quiet)
		case <-timer.C:
			return log, nil
		case <-ctx.Done():
			return log, fmt.Errorf("drain events: %w", ctx.Err())
		}
	}
}
