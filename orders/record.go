package orders

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/order-saga/shop/domain"
)

// Source names the order service in event envelopes.
const Source = "order-service"

// Record records transitions of one order, oldest first: it stores the newest (the store keeps only
// the newest) and, meanwhile, publishes the event of each: type order.<status> (a new, PENDING order is
// order.placed, the original's name), id order/<id>/<seq>. The event id is fixed by the transition
// and the store never moves an order back, so recording them again (a retry after any partial
// failure) changes nothing and consumers drop the repeats.
//
// An event this process has had confirmed by the broker lately is not published again: a step that
// carries records along (RESERVED rides with the authorization) records them again on every retry
// of the step, and a payment outage would otherwise send repeats per attempt. The memory is per
// process and bounded, so a repeat after a restart still goes out, and consumers drop it. Each
// transition published is counted (Metrics) once with it: a repeat is counted again only where it is
// published again, after a restart.
func (s *Service) Record(ctx context.Context, transitions ...Order) error {
	if len(transitions) == 0 {
		return nil
	}
	// The store write and the publishes are independent (each is idempotent, and a retry redoes
	// whichever failed), so they overlap: the saga's workflow task waits for the longer, not the sum.
	var g errgroup.Group
	if newest := transitions[len(transitions)-1]; stored(newest) {
		g.Go(func() error {
			if err := s.p.Store.Save(ctx, newest); err != nil {
				return fmt.Errorf("record order %s #%d: %w", newest.OrderID, newest.Seq, err)
			}
			return nil
		})
	}
	g.Go(func() error { return s.publish(ctx, transitions) })
	return g.Wait()
}

// publish publishes each transition's event, oldest first, but those the broker confirmed lately.
func (s *Service) publish(ctx context.Context, transitions []Order) error {
	for _, o := range transitions {
		ev := transitionEvent(o)
		if s.published.Contains(ev.ID) {
			continue
		}
		if err := s.p.Events.Publish(ctx, ev); err != nil {
			return fmt.Errorf("record order %s #%d: %w", o.OrderID, o.Seq, err)
		}
		s.published.Add(ev.ID, struct{}{})
		s.p.Metrics.TransitionRecorded(o.Status)
	}
	return nil
}

// uncounted is the Metrics of a service that counts nothing.
type uncounted struct{}

func (uncounted) TransitionRecorded(domain.OrderStatus) {}

// stored reports whether the store keeps transition o when it is the newest recorded at once. The
// RESERVED that follows PENDING straight away (seq 2: the saga's first transition after the start) is
// not kept, to save a write per order (FerretDB manages some 80-165 small writes a second): the saga
// passes through it on its way to the payment, and sagas started since the PENDING record rides with
// it record both at once, so a happy order is stored once, at its decision. Until then the API
// answers the order with what its saga says (and an order stored as PENDING, by an older saga, with
// its saga's live status), so GET still shows it, with prices; every event still goes out. A
// RESERVED after an operator's retry is kept: the API does not ask the saga about an order stored
// as NEEDS_ATTENTION. An order not decided within the POST's wait is stored by Place when it answers
// (202), so a listing shows every order from its POST's answer on.
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
