package domain

import "time"

// Event is the envelope of every message on the events exchange. ID is deterministic for a given
// change (a ledger entry, a saga step), so a publish that a retry repeats carries the same ID and
// consumers can drop the duplicate. Type is also the routing key.
type Event struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	OccurredAt time.Time `json:"occurredAt"`
	Source     string    `json:"source"`
	Subject    string    `json:"subject"`
	Data       any       `json:"data"`
	// Trace is the W3C trace context (traceparent, tracestate) of the change that made the event, set
	// only on an event that waited in an outbox: published later, it still goes out in that change's
	// trace. Not part of the envelope; an event published at once takes its context's trace.
	Trace map[string]string `json:"-"`
}

// Event types of the inventory service.
const (
	EventProductCreated = "inventory.product.created"
	EventProductUpdated = "inventory.product.updated"
	EventStockReserved  = "inventory.stock.reserved"
	EventStockReleased  = "inventory.stock.released"
	EventStockCommitted = "inventory.stock.committed"
	EventStockAdjusted  = "inventory.stock.adjusted"
	EventStockLow       = "inventory.stock.low"
)
