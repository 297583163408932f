package main

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEventLogCountsEachIDOnce(t *testing.T) {
	l := newEventLog()
	l.add("order/o1/1", []byte(`{"id":"order/o1/1","type":"order.placed","subject":"o1"}`))
	l.add("order/o1/1", []byte(`{"id":"order/o1/1","type":"order.placed","subject":"o1"}`))
	l.add("order/o1/3", []byte(`{"id":"order/o1/3","type":"order.confirmed","subject":"o1"}`))
	l.add("m-4", []byte(`{"type":"order.rejected","subject":"o2"}`)) // id from the AMQP message id
	l.add("m-5", []byte(`not json`))

	require.Equal(t, 5, l.Messages)
	require.Len(t, l.ByID, 3)
	require.Equal(t, 1, l.Duplicates())
	require.Equal(t, 1, l.Unreadable)
	require.True(t, l.has("o1", "order.confirmed"))
	require.True(t, l.has("o2", "order.rejected"))
	require.False(t, l.has("o1", "order.rejected"))
	require.Equal(t, "order.needs_attention", finalEventType(statusNeedsAttention))
}

// scenario is a small run: products A (10 units) and B (5 units).
func scenario() ([]productSpec, *eventLog) {
	products := []productSpec{{Code: "A", Quantity: 10}, {Code: "B", Quantity: 5}}
	events := newEventLog()
	for _, e := range []string{
		`{"id":"1","type":"order.confirmed","subject":"o1"}`,
		`{"id":"2","type":"order.rejected","subject":"o2"}`,
		`{"id":"3","type":"order.confirmed","subject":"o3"}`,
	} {
		events.add("", []byte(e))
	}
	return products, events
}

// goodLedgers is the ledger of the scenario's good run: receipts, then o1 (A 3, B 1) and o3 (A 2)
// reserved and committed, interleaved; o2 never reserved.
func goodLedgers() map[string][]movement {
	return map[string][]movement{
		"A": {
			{Seq: 1, Kind: "receipt", Quantity: 10, OnHand: 10},
			{Seq: 2, Kind: "reservation", Quantity: 3, OrderID: "o1", OnHand: 10, Reserved: 3},
			{Seq: 3, Kind: "reservation", Quantity: 2, OrderID: "o3", OnHand: 10, Reserved: 5},
			{Seq: 5, Kind: "commit", Quantity: 2, OrderID: "o3", OnHand: 5, Reserved: 0}, // pages come newest first
			{Seq: 4, Kind: "commit", Quantity: 3, OrderID: "o1", OnHand: 7, Reserved: 2},
		},
		"B": {
			{Seq: 1, Kind: "receipt", Quantity: 5, OnHand: 5},
			{Seq: 2, Kind: "reservation", Quantity: 1, OrderID: "o1", OnHand: 5, Reserved: 1},
			{Seq: 3, Kind: "commit", Quantity: 1, OrderID: "o1", OnHand: 4, Reserved: 0},
		},
	}
}

func TestEffectsByOrder(t *testing.T) {
	l := goodLedgers()
	require.Equal(t, map[string]map[string]stockEffect{
		"o1": {"A": {OnHand: -3}, "B": {OnHand: -1}},
		"o3": {"A": {OnHand: -2}},
	}, effectsByOrder(l))
}

func placed(id string, answer int) *placement {
	return &placement{OrderID: id, Answer: answer, Posts: 1}
}

func TestTallyAndViolations(t *testing.T) {
	goodViews := func() map[string]orderView {
		return map[string]orderView{
			"o1": {ID: "o1", Status: statusConfirmed, Items: []orderLine{{"A", 3}, {"B", 1}}},
			"o2": {ID: "o2", Status: statusRejected, Items: []orderLine{{"B", 9}}},
			"o3": {ID: "o3", Status: statusConfirmed, Items: []orderLine{{"A", 2}}},
		}
	}
	goodStock := func() map[string]stockLevel {
		return map[string]stockLevel{"A": {Quantity: 5, Available: 5}, "B": {Quantity: 4, Available: 4}}
	}
	goodPlacements := func() []*placement {
		return []*placement{placed("o1", http.StatusCreated), placed("o2", http.StatusConflict), placed("o3", http.StatusAccepted)}
	}
	stored := func(views map[string]orderView) []orderView {
		var out []orderView
		for _, v := range views {
			out = append(out, v)
		}
		return out
	}
	tests := []struct {
		name   string
		change func(ps *[]*placement, views map[string]orderView, stored *[]orderView, stock map[string]stockLevel)
		ledger func(l map[string][]movement)
		faults []injection
		want   []string // substrings, one per violation
	}{
		{name: "everything adds up", change: func(*[]*placement, map[string]orderView, *[]orderView, map[string]stockLevel) {}},
		{
			name: "an order the service forgot is lost",
			change: func(_ *[]*placement, views map[string]orderView, s *[]orderView, _ map[string]stockLevel) {
				delete(views, "o2")
				*s = (*s)[:0]
				for _, v := range views {
					*s = append(*s, v)
				}
			},
			want: []string{"1 orders lost"},
		},
		{
			name: "a parked order is not terminal and has no final event",
			change: func(_ *[]*placement, views map[string]orderView, _ *[]orderView, _ map[string]stockLevel) {
				views["o2"] = orderView{ID: "o2", Status: statusNeedsAttention}
			},
			want: []string{"1 orders not terminal", "final event missing"},
		},
		{
			name: "stock committed twice shows as a mismatch",
			change: func(_ *[]*placement, _ map[string]orderView, _ *[]orderView, stock map[string]stockLevel) {
				stock["A"] = stockLevel{Quantity: 3, Available: 3}
			},
			ledger: func(l map[string][]movement) {
				l["A"] = append(l["A"], movement{Seq: 6, Kind: "commit", Quantity: 2, OrderID: "o3", OnHand: 3})
			},
			want: []string{"A: on hand 3, but initial 10 - committed 5 = 5", "1 ledger effects disagree with their order's status: o3 (CONFIRMED) on A: on hand -4, reserved +0; want -2, +0"},
		},
		{
			name: "units left reserved",
			change: func(_ *[]*placement, _ map[string]orderView, _ *[]orderView, stock map[string]stockLevel) {
				stock["B"] = stockLevel{Quantity: 4, Reserved: 2, Available: 2}
			},
			ledger: func(l map[string][]movement) {
				l["B"] = append(l["B"], movement{Seq: 4, Kind: "reservation", Quantity: 2, OrderID: "o2", OnHand: 4, Reserved: 2})
			},
			want: []string{"B: 2 units still reserved", "o2 (REJECTED) on B: on hand +0, reserved +2; want +0, +0"},
		},
		{
			name: "more confirmed than existed is oversold",
			change: func(_ *[]*placement, views map[string]orderView, _ *[]orderView, stock map[string]stockLevel) {
				views["o3"] = orderView{ID: "o3", Status: statusConfirmed, Items: []orderLine{{"B", 6}}}
				stock["A"] = stockLevel{Quantity: 7, Available: 7}
				stock["B"] = stockLevel{Quantity: 0}
			},
			ledger: func(l map[string][]movement) {
				l["A"] = []movement{{Seq: 1, Quantity: 10, OnHand: 10}, l["A"][1], {Seq: 3, OrderID: "o1", OnHand: 7}}
				l["B"] = append(l["B"], movement{Seq: 4, OrderID: "o3", OnHand: 4, Reserved: 6}, movement{Seq: 5, OrderID: "o3", OnHand: -2})
			},
			want: []string{"B: on hand 0, but initial 5 - committed 7 = -2", "2 units oversold"},
		},
		{
			name: "a POST without a definite answer and a valid order refused",
			change: func(ps *[]*placement, _ map[string]orderView, _ *[]orderView, _ map[string]stockLevel) {
				*ps = append(*ps, &placement{Posts: 40}, &placement{Answer: http.StatusUnprocessableEntity, Posts: 1})
			},
			want: []string{"1 orders never got a definite answer", "1 valid orders were refused"},
		},
		{
			name: "a stored order nobody was given",
			change: func(_ *[]*placement, _ map[string]orderView, s *[]orderView, _ map[string]stockLevel) {
				*s = append(*s, orderView{ID: "o9", Status: statusRejected})
			},
			want: []string{"1 stored orders no client was given"},
		},
		{
			name: "a release that consumed another order's reservation and never restocked a commit",
			change: func(_ *[]*placement, views map[string]orderView, _ *[]orderView, _ map[string]stockLevel) {
				views["o3"] = orderView{ID: "o3", Status: statusCancelled, Items: []orderLine{{"A", 2}}}
			},
			ledger: func(l map[string][]movement) {
				// o3 committed A 2 (seq 5), then its cancel appended a release of 2 instead of a restock.
				l["A"] = append(l["A"], movement{Seq: 6, Kind: "release", Quantity: 2, OrderID: "o3", OnHand: 5, Reserved: -2})
			},
			want: []string{"A: on hand 5, but initial 10 - committed 3 = 7", "o3 (CANCELLED) on A: on hand -2, reserved -2; want +0, +0", "final event missing"},
		},
		{
			name:   "a fault that could not be injected",
			change: func(*[]*placement, map[string]orderView, *[]orderView, map[string]stockLevel) {},
			faults: []injection{{Name: "restart FerretDB", Err: errors.New("stack.sh failed")}},
			want:   []string{`fault "restart FerretDB" was not injected`},
		},
		{
			name: "nothing confirmed proves nothing",
			change: func(ps *[]*placement, views map[string]orderView, s *[]orderView, stock map[string]stockLevel) {
				*ps = (*ps)[1:2]
				delete(views, "o1")
				delete(views, "o3")
				*s = []orderView{views["o2"]}
				stock["A"] = stockLevel{Quantity: 10, Available: 10}
				stock["B"] = stockLevel{Quantity: 5, Available: 5}
			},
			ledger: func(l map[string][]movement) {
				l["A"], l["B"] = l["A"][:1], l["B"][:1]
			},
			want: []string{"no order was confirmed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			products, events := scenario()
			ps, views, stock := goodPlacements(), goodViews(), goodStock()
			st := stored(views)
			tt.change(&ps, views, &st, stock)
			ledgers := goodLedgers()
			if tt.ledger != nil {
				tt.ledger(ledgers)
			}
			f := tally(ps, views, st, products, stock, ledgers, events)
			got := f.violations(tt.faults)
			require.Len(t, got, len(tt.want), "%q", got)
			for i, w := range tt.want {
				require.Contains(t, got[i], w)
			}
		})
	}
}

func TestTallyFigures(t *testing.T) {
	products, events := scenario()
	parked := placed("o3", http.StatusAccepted)
	parked.Parked, parked.Retried, parked.Posts = true, 1, 3
	ps := []*placement{placed("o1", http.StatusCreated), placed("o2", http.StatusConflict), parked}
	views := map[string]orderView{
		"o1": {ID: "o1", Status: statusConfirmed, Items: []orderLine{{"A", 3}, {"B", 1}}},
		"o2": {ID: "o2", Status: statusRejected, Items: []orderLine{{"B", 9}}},
		"o3": {ID: "o3", Status: statusConfirmed, Items: []orderLine{{"A", 2}}},
	}
	stock := map[string]stockLevel{"A": {Quantity: 5, Available: 5}, "B": {Quantity: 4, Available: 4}}

	f := tally(ps, views, nil, products, stock, goodLedgers(), events)

	require.Equal(t, 3, f.Sent)
	require.Equal(t, 5, f.Posts)
	require.Equal(t, map[int]int{201: 1, 409: 1, 202: 1}, f.Answers)
	require.Equal(t, 3, f.Accepted)
	require.Equal(t, map[string]int{statusConfirmed: 2, statusRejected: 1}, f.Outcomes)
	require.Equal(t, 1, f.Parked)
	require.Equal(t, 1, f.OperatorRetries)
	require.Equal(t, 1, f.EndedAfterRetry)
	require.Equal(t, []productFigures{
		{Code: "A", Initial: 10, Committed: 5, OnHand: 5, Available: 5},
		{Code: "B", Initial: 5, Committed: 1, OnHand: 4, Available: 4},
	}, f.Products)
	require.Empty(t, f.violations(nil))
}
