package inventory

import (
	"context"
	"fmt"
	"time"

	"github.com/order-saga/shop/domain"
)

// movementEventTypes maps a ledger movement to the event it publishes.
var movementEventTypes = map[domain.MovementKind]string{
	domain.Reservation: domain.EventStockReserved,
	domain.Release:     domain.EventStockReleased,
	domain.Commit:      domain.EventStockCommitted,
	domain.Adjustment:  domain.EventStockAdjusted,
	domain.Receipt:     domain.EventStockAdjusted,
}

// MovementData is the data of an inventory.stock.* event: the movement and the level it left.
type MovementData struct {
	ProductCode string `json:"productCode"`
	Seq         int64  `json:"seq"`
	Kind        string `json:"kind"`
	Quantity    int64  `json:"quantity"`
	OrderID     string `json:"orderId,omitempty"`
	OnHand      int64  `json:"onHand"`
	Reserved    int64  `json:"reserved"`
	Available   int64  `json:"available"`
	Note        string `json:"note,omitempty"`
}

// LowStockData is the data of an inventory.stock.low event.
type LowStockData struct {
	ProductCode string `json:"productCode"`
	Seq         int64  `json:"seq"`
	Available   int64  `json:"available"`
	Threshold   int64  `json:"threshold"`
}

// ProductData is the data of an inventory.product.* event.
type ProductData struct {
	ProductCode       string `json:"productCode"`
	Name              string `json:"name"`
	Description       string `json:"description"`
	Price             string `json:"price"`
	Currency          string `json:"currency"`
	LowStockThreshold int64  `json:"lowStockThreshold"`
	// CreatedAt and UpdatedAt let a read model order the product's versions: a later UpdatedAt wins.
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// NewProductData is the data of a product's events (and what a read model keeps of it).
func NewProductData(p domain.Product) ProductData {
	return ProductData{
		ProductCode: p.Code, Name: p.Name, Description: p.Description,
		Price: p.Price.String(), Currency: p.Price.Currency, LowStockThreshold: p.LowStockThreshold,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
}

// movementEvents returns the events of one ledger entry: its stock event and, when the entry took
// available stock from above the product's threshold to it or below, inventory.stock.low. Ids derive
// from the entry's id, so publishing the same entry again yields the same ids.
func movementEvents(m domain.Movement, lowMark int64) []domain.Event {
	events := []domain.Event{{
		ID: "stock/" + m.ID(), Type: movementEventTypes[m.Kind], OccurredAt: m.At, Source: Source, Subject: m.ProductCode,
		Data: MovementData{
			ProductCode: m.ProductCode, Seq: m.Seq, Kind: string(m.Kind), Quantity: m.Quantity, OrderID: m.OrderID,
			OnHand: m.Level.OnHand, Reserved: m.Level.Reserved, Available: m.Level.Available(), Note: m.Note,
		},
	}}
	before := m.Level.Available()
	switch m.Kind {
	case domain.Reservation:
		before += m.Quantity
	case domain.Adjustment:
		before -= m.Quantity
	}
	if before > lowMark && m.Level.Available() <= lowMark {
		events = append(events, domain.Event{
			ID: "stock-low/" + m.ID(), Type: domain.EventStockLow, OccurredAt: m.At, Source: Source, Subject: m.ProductCode,
			Data: LowStockData{ProductCode: m.ProductCode, Seq: m.Seq, Available: m.Level.Available(), Threshold: lowMark},
		})
	}
	return events
}

// publishMovement publishes a ledger entry's events and fails if the broker does not take them: the
// saga's activities use it, so a failure is retried and nothing is lost.
func (s *Service) publishMovement(ctx context.Context, m domain.Movement, lowMark int64) error {
	for _, e := range movementEvents(m, lowMark) {
		if err := s.events.Publish(ctx, e); err != nil {
			return fmt.Errorf("publish %s: %w", e.ID, err)
		}
	}
	return nil
}

// publishBestEffort is for changes made over HTTP, which have already happened when the event goes
// out: a failure does not fail the request (the change is stored); the event goes to the outbox.
func (s *Service) publishBestEffort(ctx context.Context, m domain.Movement, lowMark int64) {
	for _, e := range movementEvents(m, lowMark) {
		s.publish(ctx, e)
	}
}

// publishWait bounds how long an HTTP change waits for the broker before its event goes to the outbox.
const publishWait = 3 * time.Second

// publish publishes e, or keeps it in the outbox for RelayOutbox when the broker does not take it.
func (s *Service) publish(ctx context.Context, e domain.Event) {
	// The change is stored; a broker that does not answer must not hold up the client for long.
	pctx, cancel := context.WithTimeout(ctx, publishWait)
	err := s.events.Publish(pctx, e)
	cancel()
	if err == nil {
		return
	}
	if s.outbox != nil {
		// The request may be over (its context cancelled); the event must still be kept.
		octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		oerr := s.outbox.Add(octx, e)
		if oerr == nil {
			s.log.WarnContext(ctx, "event kept in the outbox", "eventId", e.ID, "type", e.Type, "error", err)
			return
		}
		err = fmt.Errorf("%w; outbox: %w", err, oerr)
	}
	s.log.ErrorContext(ctx, "event lost", "eventId", e.ID, "type", e.Type, "error", err)
}

// WithOutbox makes s keep the events the broker does not take (see RelayOutbox).
func (s *Service) WithOutbox(o Outbox) *Service {
	s.outbox = o
	return s
}

// RelayOutbox publishes the outbox's events every interval until ctx ends. Events keep their ids,
// so a consumer that got one already drops the repeat.
func (s *Service) RelayOutbox(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.RelayOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "outbox relay", "published", n, "error", err)
		} else if n > 0 {
			s.log.InfoContext(ctx, "outbox relayed", "published", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RelayOnce publishes what the outbox holds, oldest first, and stops at the first failure.
func (s *Service) RelayOnce(ctx context.Context) (int, error) {
	if s.outbox == nil {
		return 0, nil
	}
	n := 0
	for {
		pending, err := s.outbox.Pending(ctx, 100)
		if err != nil {
			return n, fmt.Errorf("read outbox: %w", err)
		}
		for _, e := range pending {
			if err := s.events.Publish(ctx, e); err != nil {
				return n, fmt.Errorf("publish %s: %w", e.ID, err)
			}
			if err := s.outbox.Done(ctx, e.ID); err != nil {
				return n, fmt.Errorf("outbox done %s: %w", e.ID, err)
			}
			n++
		}
		if len(pending) < 100 {
			return n, nil
		}
	}
}
