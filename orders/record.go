package orders

import (
	"context"
	"fmt"
	"strings"

	"github.com/order-saga/shop/domain"
)

// Source names the order service in event envelopes.
const Source = "order-service"

// Record stores a transition of an order and publishes its event: type order.<status> (a new,
// PENDING order is order.placed, the original's name), id order/<id>/<seq>. The store keeps only the
// newest transition and the event id is fixed by the transition, so recording one again (a retry
// after any partial failure) changes nothing and consumers drop the repeat.
//
// An event this process has had confirmed by the broker lately is not published again: a step that
// carries the record along (RESERVED rides with the authorization) records it again on every retry
// of the step, and a payment outage would otherwise send one repeat per attempt. The memory is
// per process and bounded, so a repeat after a restart still goes out, and consumers drop it. Each
// transition published is counted (Metrics) once with it: a repeat is counted again only where it is
// published again, after a restart.
func (s *Service) Record(ctx context.Context, o Order) error {
	if stored(o) {
		if err := s.p.Store.Save(ctx, o); err != nil {
			return fmt.Errorf("record order %s #%d: %w", o.OrderID, o.Seq, err)
		}
	}
	ev := transitionEvent(o)
	if s.published.Contains(ev.ID) {
		return nil
	}
	if err := s.p.Events.Publish(ctx, ev); err != nil {
		return fmt.Errorf("record order %s #%d: %w", o.OrderID, o.Seq, err)
	}
	s.published.Add(ev.ID, struct{}{})
	s.p.Metrics.TransitionRecorded(o.Status)
	return nil
}

// uncounted is the Metrics of a service that counts nothing.
type uncounted struct{}

func (uncounted) TransitionRecorded(domain.OrderStatus) {}

// stored reports whether the store keeps transition o. The RESERVED that follows PENDING straight away
// (seq 2: the saga's first transition after the start) is not kept, to save a write per order
// (FerretDB manages some 80-165 small writes a second): the saga passes through it on its way to the
// payment, and the API answers an order stored as PENDING with its saga's live status (Progress), so
// GET still shows RESERVED, with prices; its event still goes out. A RESERVED after an operator's
// retry is kept: the API does not ask the saga about an order stored as NEEDS_ATTENTION. What the
// store no longer tells is the first RESERVED itself (a store-side status=RESERVED filter misses it,
// as it missed any transition the store had not caught up with); every later transition is stored.
func stored(o Order) bool {
	return o.Status != domain.StatusReserved || o.Seq != 2
}

// recentlyPublished is how many confirmed event ids Record remembers (a few minutes of orders at
// full speed, about 100 bytes each).
const recentlyPublished = 8192

// transitionEvent is the event of an order's transition.
func transitionEvent(o Order) domain.Event {
	status := strings.ToLower(string(o.Status))
	if o.Status == domain.StatusPending {
		status = "placed"
	}
	return domain.Event{
		ID:         fmt.Sprintf("order/%s/%d", o.OrderID, o.Seq),
		Type:       "order." + status,
		OccurredAt: o.UpdatedAt,
		Source:     Source,
		Subject:    o.OrderID,
		Data:       o,
	}
}
