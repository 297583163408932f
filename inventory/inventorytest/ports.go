package inventorytest

import (
	"io"
	"log/slog"
	"time"

	"github.com/order-saga/shop/inventory"
)

// Ports are the inventory's ports, over fakes or real adapters.
type Ports struct {
	Catalog      inventory.Catalog
	Ledger       inventory.Ledger
	Reservations inventory.Reservations
	Events       *RecordingEvents
	Outbox       inventory.Outbox
}

// NewFakePorts returns ports over empty in-memory fakes.
func NewFakePorts() Ports {
	return Ports{
		Catalog: NewFakeCatalog(), Ledger: NewFakeLedger(), Reservations: NewFakeReservations(),
		Events: &RecordingEvents{Events: NewFakeEvents()}, Outbox: &FakeOutbox{},
	}
}

// WithFaults returns the same ports with every write and publish going through f. Reads and the
// recording of events are left as they are.
func (p Ports) WithFaults(f *Faults) Ports {
	return Ports{
		Catalog:      p.Catalog,
		Ledger:       faultyLedger{Ledger: p.Ledger, f: f},
		Reservations: faultyReservations{Reservations: p.Reservations, f: f},
		Events:       &RecordingEvents{Events: faultyEvents{Events: p.Events, f: f}},
		Outbox:       faultyOutbox{Outbox: p.Outbox, f: f},
	}
}

// Service wires the inventory's use cases to the ports.
func (p Ports) Service(log *slog.Logger) *inventory.Service {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return inventory.NewService(p.Catalog, p.Ledger, p.Reservations, p.Events, time.Now, log).WithOutbox(p.Outbox)
}
