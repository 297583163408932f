package main

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// productFigures is one product's stock at the end beside what the orders say it must be.
type productFigures struct {
	Code               string
	Initial, Committed int64 // created with; units of CONFIRMED or COMPLETED orders
	OnHand, Reserved   int64 // as the inventory API shows them
	Available          int64
}

// Expected is the on-hand stock the orders account for.
func (p productFigures) Expected() int64 { return p.Initial - p.Committed }

// Oversold is how many units more than existed were sold.
func (p productFigures) Oversold() int64 { return max(0, p.Committed-p.Initial) }

// stockEffect is what an order did to one product's stock, by the ledger.
type stockEffect struct{ OnHand, Reserved int64 }

// effectsByOrder attributes each ledger movement's change of the figures (its level minus the one
// before it) to the order it belongs to: order id -> product -> net effect. It needs no knowledge of
// the kinds of movement, only of the levels each one left. Movements of no order (the initial
// receipt) are left out.
func effectsByOrder(ledgers map[string][]movement) map[string]map[string]stockEffect {
	out := map[string]map[string]stockEffect{}
	for code, ms := range ledgers {
		ms = slices.Clone(ms)
		slices.SortFunc(ms, func(a, b movement) int { return cmp.Compare(a.Seq, b.Seq) })
		var prev movement
		for _, m := range ms {
			if m.OrderID != "" {
				if out[m.OrderID] == nil {
					out[m.OrderID] = map[string]stockEffect{}
				}
				e := out[m.OrderID][code]
				e.OnHand += m.OnHand - prev.OnHand
				e.Reserved += m.Reserved - prev.Reserved
				out[m.OrderID][code] = e
			}
			prev = m
		}
	}
	return out
}

// figures is everything the suite measured, and the invariants they must meet.
type figures struct {
	LoadTime           time.Duration // from the first order to the last new one
	Sent, Posts, Polls int
	Answers            map[int]int    // HTTP status of the definite answer to each POST; 0: none came
	Accepted           int            // orders the service gave an id
	Outcomes           map[string]int // final status -> orders
	Parked             int            // orders found parked after the load
	OperatorRetries    int
	EndedAfterRetry    int // parked orders that reached a terminal status after a retry
	Products           []productFigures

	Lost        []string // ids given to a client that the service no longer knows
	NotTerminal []string // orders still undecided or parked for good
	Unanswered  int      // POSTs that never got a definite answer
	Invalid     int      // valid orders refused as invalid (400, 422)
	Unknown     []string // stored orders no client was given (a key that made a second order)
	// LedgerMismatches are orders whose net effect on a product's ledger is not what their status
	// says: a CONFIRMED or COMPLETED order takes its units off on hand and holds none reserved; any
	// other leaves both as they were.
	LedgerMismatches []string

	EventMessages, EventsDistinct, EventDuplicates, EventsUnreadable int
	EventsMissing                                                    []string // "<order id> <event type>"
}

// tally computes the figures from what the clients got (ps), the orders as read at the end (views,
// by id), every stored order (stored), the stock the inventory shows and the events the tap held.
func tally(ps []*placement, views map[string]orderView, stored []orderView, products []productSpec,
	stock map[string]stockLevel, ledgers map[string][]movement, events *eventLog,
) figures {
	f := figures{Answers: map[int]int{}, Outcomes: map[string]int{}}
	given := map[string]bool{}
	// final is each order's newest view: as followed to its end, else as stored.
	final := map[string]orderView{}
	for _, o := range stored {
		final[o.ID] = o
	}
	for id, v := range views {
		final[id] = v
	}
	for _, p := range ps {
		f.Sent++
		f.Posts += p.Posts
		f.Polls += p.Polls
		f.Answers[p.Answer]++
		switch {
		case p.Answer == 0:
			f.Unanswered++
		case p.Answer == http.StatusBadRequest || p.Answer == http.StatusUnprocessableEntity:
			f.Invalid++
		}
		if p.OrderID == "" {
			continue
		}
		f.Accepted++
		given[p.OrderID] = true
		v, ok := final[p.OrderID]
		if !ok {
			f.Lost = append(f.Lost, p.OrderID)
			continue
		}
		f.Outcomes[v.Status]++
		if !terminal(v.Status) {
			f.NotTerminal = append(f.NotTerminal, p.OrderID)
		}
		if p.Parked {
			f.Parked++
			if terminal(v.Status) {
				f.EndedAfterRetry++
			}
		}
		f.OperatorRetries += p.Retried
		if typ := finalEventType(v.Status); !events.has(p.OrderID, typ) {
			f.EventsMissing = append(f.EventsMissing, p.OrderID+" "+typ)
		}
	}
	for _, o := range stored {
		if !given[o.ID] {
			f.Unknown = append(f.Unknown, o.ID)
		}
	}

	committed := map[string]int64{}
	for id := range given {
		v, ok := final[id]
		if !ok || !committing(v.Status) {
			continue
		}
		for _, l := range v.Items {
			committed[l.ProductCode] += l.Quantity
		}
	}
	for _, p := range products {
		s := stock[p.Code]
		f.Products = append(f.Products, productFigures{Code: p.Code, Initial: p.Quantity, Committed: committed[p.Code],
			OnHand: s.Quantity, Reserved: s.Reserved, Available: s.Available})
	}

	effects := effectsByOrder(ledgers)
	for id, byProduct := range effects {
		v, ok := final[id]
		if !given[id] || !ok {
			f.LedgerMismatches = append(f.LedgerMismatches, fmt.Sprintf("%s (an order no client was given) moved stock", id))
			continue
		}
		want := map[string]stockEffect{}
		if committing(v.Status) {
			for _, l := range v.Items {
				e := want[l.ProductCode]
				e.OnHand -= l.Quantity
				want[l.ProductCode] = e
			}
		}
		for _, p := range products {
			if got := byProduct[p.Code]; got != want[p.Code] {
				f.LedgerMismatches = append(f.LedgerMismatches, fmt.Sprintf("%s (%s) on %s: on hand %+d, reserved %+d; want %+d, %+d",
					id, v.Status, p.Code, got.OnHand, got.Reserved, want[p.Code].OnHand, want[p.Code].Reserved))
			}
		}
	}
	for id := range given {
		v := final[id]
		if _, moved := effects[id]; !moved && committing(v.Status) {
			f.LedgerMismatches = append(f.LedgerMismatches, fmt.Sprintf("%s (%s) has no ledger entries", id, v.Status))
		}
	}

	f.EventMessages, f.EventsDistinct = events.Messages, len(events.ByID)
	f.EventDuplicates, f.EventsUnreadable = events.Duplicates(), events.Unreadable
	slices.Sort(f.Lost)
	slices.Sort(f.NotTerminal)
	slices.Sort(f.Unknown)
	slices.Sort(f.EventsMissing)
	slices.Sort(f.LedgerMismatches)
	return f
}

// Oversold is the units sold beyond stock, over all products.
func (f figures) Oversold() int64 {
	var n int64
	for _, p := range f.Products {
		n += p.Oversold()
	}
	return n
}

// violations lists every invariant the run broke; empty means it passed.
func (f figures) violations(faults []injection) []string {
	var v []string
	add := func(format string, args ...any) { v = append(v, fmt.Sprintf(format, args...)) }
	for _, in := range faults {
		if in.Err != nil {
			add("fault %q was not injected as planned: %v", in.Name, in.Err)
		}
	}
	if f.Outcomes[statusConfirmed]+f.Outcomes[statusCompleted] == 0 {
		add("no order was confirmed: the run proves nothing")
	}
	if len(f.Lost) > 0 {
		add("%d orders lost (an id was given, the service no longer knows it): %s", len(f.Lost), examples(f.Lost))
	}
	if f.Unanswered > 0 {
		add("%d orders never got a definite answer to their POST", f.Unanswered)
	}
	if f.Invalid > 0 {
		add("%d valid orders were refused as invalid (400/422)", f.Invalid)
	}
	if len(f.NotTerminal) > 0 {
		add("%d orders not terminal at the end (undecided, or parked again after an operator retry): %s", len(f.NotTerminal), examples(f.NotTerminal))
	}
	if len(f.Unknown) > 0 {
		add("%d stored orders no client was given (one Idempotency-Key made two orders, or a POST went unanswered): %s", len(f.Unknown), examples(f.Unknown))
	}
	for _, p := range f.Products {
		if p.OnHand != p.Expected() {
			add("%s: on hand %d, but initial %d - committed %d = %d", p.Code, p.OnHand, p.Initial, p.Committed, p.Expected())
		}
		if p.Reserved != 0 {
			add("%s: %d units still reserved", p.Code, p.Reserved)
		}
		if p.Available != p.OnHand-p.Reserved {
			add("%s: available %d is not on hand %d - reserved %d", p.Code, p.Available, p.OnHand, p.Reserved)
		}
	}
	if len(f.LedgerMismatches) > 0 {
		add("%d ledger effects disagree with their order's status: %s", len(f.LedgerMismatches), examples(f.LedgerMismatches))
	}
	if n := f.Oversold(); n > 0 {
		add("%d units oversold", n)
	}
	if len(f.EventsMissing) > 0 {
		add("%d orders' final event missing on %s: %s", len(f.EventsMissing), eventsExchange, examples(f.EventsMissing))
	}
	return v
}

// examples shows up to five items of a list.
func examples(items []string) string {
	if len(items) <= 5 {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:5], ", ") + fmt.Sprintf(", … (%d more)", len(items)-5)
}
