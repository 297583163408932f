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
// out: a failure is logged, not returned, so the client is not told a stored change failed.
func (s *Service) publishBestEffort(ctx context.Context, m domain.Movement, lowMark int64) {
	if err := s.publishMovement(ctx, m, lowMark); err != nil {
		s.log.ErrorContext(ctx, "event lost", "productCode", m.ProductCode, "seq", m.Seq, "error", err)
	}
}

func (s *Service) publish(ctx context.Context, e domain.Event) {
	if err := s.events.Publish(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "event lost", "eventId", e.ID, "type", e.Type, "error", err)
	}
}
