package inventorytest

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
)

// ModelConfig sizes a run of RunModel.
type ModelConfig struct {
	// Checks is the number of random cases (rapid's -rapid.checks or RAPID_CHECKS win when given).
	Checks int
	// MaxSteps bounds the steps of one case.
	MaxSteps int
}

// RunModel is the model-based property test of the inventory's use cases over the given ports:
// random interleavings of reserve, commit, release and stock counts for several orders over a few
// products, each step with a failure injected before or after one of its store writes or
// publishes; a failed step is then retried to completion, or (for reserve and commit) abandoned
// the way a saga that gives up compensates: a release, perhaps followed by a late retry of the
// abandoned step. After every step the invariants are checked against what the store holds.
//
// Every case uses product codes and order ids of its own, so one set of ports serves them all.
func RunModel(t *testing.T, cfg ModelConfig, ports Ports) {
	setChecks(t, cfg.Checks)
	cases := 0
	rapid.Check(t, func(rt *rapid.T) {
		cases++
		m := newModel(rt, ports, fmt.Sprintf("m%d-%s-", cases, randomSuffix()))
		steps := rapid.IntRange(cfg.MaxSteps/2, cfg.MaxSteps).Draw(rt, "steps")
		for range steps {
			m.step(rt)
			m.check(rt)
		}
	})
}

// setChecks sets rapid's number of checks unless the command line or the environment chose one
// (rapid takes it from a flag only).
func setChecks(t *testing.T, n int) {
	f := flag.Lookup("rapid.checks")
	if f == nil || n <= 0 || os.Getenv("RAPID_CHECKS") != "" || f.Value.String() != f.DefValue {
		return
	}
	require.NoError(t, f.Value.Set(strconv.Itoa(n)))
	t.Cleanup(func() { _ = f.Value.Set(f.DefValue) })
}

// Where an order stands, as the model expects it.
type phase int

const (
	fresh     phase = iota // never asked for
	reserved               // Reserve succeeded
	rejected               // Reserve refused it
	committed              // Commit succeeded
	released               // Release succeeded
	pending                // a Reserve or Commit failed; the saga retries it later (after other steps)
	abandoned              // a Reserve or Commit failed and was given up: Release must follow
)

type modelOrder struct {
	id    string
	lines []inventory.LineRequest // merged, in code order
	phase phase
	// wasRejected: released after a rejection (the record stays Rejected).
	wasRejected bool
	// late is the pending or abandoned step (an abandoned one may still be retried after the release).
	late string
	// reserveDone: a Reserve of this order finished (its reservation events must be out).
	reserveDone bool
}

type model struct {
	ctx      context.Context
	ports    Ports // undecorated: what the store and broker hold
	faults   *Faults
	service  *inventory.Service
	products []string
	orders   []*modelOrder
}

func newModel(rt *rapid.T, ports Ports, prefix string) *model {
	faults := &Faults{}
	m := &model{ctx: context.Background(), ports: ports, faults: faults, service: ports.WithFaults(faults).Service(nil)}
	for i := range rapid.IntRange(2, 3).Draw(rt, "products") {
		code := fmt.Sprintf("%sP%d", prefix, i)
		qty := rapid.Int64Range(1, 6).Draw(rt, "stock of "+code)
		_, err := m.service.CreateProduct(m.ctx, inventory.NewProduct{
			Code: code, Name: "Product " + code, Price: domain.Money{Minor: 100, Currency: "USD"}, Quantity: qty,
		})
		require.NoError(rt, err)
		m.products = append(m.products, code)
	}
	for i := range rapid.IntRange(2, 4).Draw(rt, "orders") {
		o := &modelOrder{id: fmt.Sprintf("%so%d", prefix, i)}
		picked := rapid.SliceOfNDistinct(rapid.SampledFrom(m.products), 1, len(m.products), rapid.ID[string]).Draw(rt, "products of "+o.id)
		sort.Strings(picked)
		for _, code := range picked {
			o.lines = append(o.lines, inventory.LineRequest{ProductCode: code, Quantity: rapid.Int64Range(1, 3).Draw(rt, "qty")})
		}
		m.orders = append(m.orders, o)
	}
	return m
}

var (
	// actions are drawn evenly: the saga's steps come up more often than a late retry or a count.
	actions  = []string{"reserve", "reserve", "commit", "commit", "release", "late", "count"}
	faultOps = []string{"", OpAppend, OpInsert, OpSave, OpPublish, OpOutbox}
)

// step draws one action, runs it with a fault armed, and settles it.
func (m *model) step(rt *rapid.T) {
	action := rapid.SampledFrom(actions).Draw(rt, "action")
	o := rapid.SampledFrom(m.orders).Draw(rt, "order")
	switch o.phase {
	case abandoned:
		action = "release" // the saga compensates what it gave up
	case pending:
		action = "late" // the saga retries the failed step
	}
	if action == "late" && o.late == "" {
		action = "release"
	}
	heads := m.heads(rt)
	if rapid.IntRange(0, 3).Draw(rt, "fault") > 0 { // mostly
		m.faults.Arm(rapid.SampledFrom(faultOps).Draw(rt, "fault op"), rapid.IntRange(0, 2).Draw(rt, "fault skip"), rapid.Bool().Draw(rt, "fault after"))
	}
	defer m.faults.Disarm()

	switch action {
	case "reserve", "late":
		if action == "late" {
			action = o.late
		}
		if action == "commit" {
			m.commit(rt, o)
			return
		}
		m.reserve(rt, o, heads)
	case "commit":
		m.commit(rt, o)
	case "release":
		m.release(rt, o)
	case "count":
		code := rapid.SampledFrom(m.products).Draw(rt, "counted product")
		qty := rapid.Int64Range(0, 6).Draw(rt, "counted quantity")
		_, err := m.retry(rt, func() (inventory.Reservation, error) {
			_, err := m.service.SetStock(m.ctx, code, qty)
			return inventory.Reservation{}, err
		})
		if qty < heads[code].Reserved {
			var below *domain.BelowReservedError
			require.ErrorAs(rt, err, &below, "count of %s to %d below reserved %d", code, qty, heads[code].Reserved)
		} else {
			require.NoError(rt, err)
		}
	}
}

// retry runs call until it answers something other than an injected fault; the fault fires once.
func (m *model) retry(rt *rapid.T, call func() (inventory.Reservation, error)) (inventory.Reservation, error) {
	for attempt := 1; ; attempt++ {
		res, err := call()
		if !errors.Is(err, ErrInjected) {
			return res, err
		}
		require.Less(rt, attempt, 3, "a retry without faults must finish: %v", err)
	}
}

// putOff: after an injected failure, the saga retries the step at once, or later (other orders'
// steps run in between), or gives it up (and compensates). It reports whether the step is put off.
func (m *model) putOff(rt *rapid.T, err error, step string, o *modelOrder) bool {
	if !errors.Is(err, ErrInjected) {
		return false
	}
	switch rapid.SampledFrom([]string{"now", "later", "give up"}).Draw(rt, "after the failed "+step) {
	case "later":
		o.phase, o.late = pending, step
	case "give up":
		o.phase, o.late = abandoned, step
	default:
		return false
	}
	return true
}

func (m *model) reserve(rt *rapid.T, o *modelOrder, heads map[string]domain.StockLevel) {
	res, err := m.service.Reserve(m.ctx, o.id, o.lines)
	if o.phase == fresh && m.putOff(rt, err, "reserve", o) {
		return
	}
	if errors.Is(err, ErrInjected) {
		res, err = m.retry(rt, func() (inventory.Reservation, error) { return m.service.Reserve(m.ctx, o.id, o.lines) })
	}
	switch o.phase {
	case pending: // retried after other steps: the stock it was judged against may have changed
		var short *domain.InsufficientStockError
		if errors.As(err, &short) {
			o.phase, o.reserveDone = rejected, true
			return
		}
		require.NoError(rt, err, "a retried reserve")
		o.phase, o.reserveDone = reserved, true
		m.requireReservedLines(rt, o, res)
	case fresh:
		fits := true
		for _, l := range o.lines {
			fits = fits && l.Quantity <= heads[l.ProductCode].Available()
		}
		if !fits {
			var short *domain.InsufficientStockError
			require.ErrorAs(rt, err, &short, "reserve %v with stock %v", o.lines, heads)
			o.phase, o.reserveDone = rejected, true
			return
		}
		require.NoError(rt, err, "reserve %v with stock %v", o.lines, heads)
		o.phase, o.reserveDone = reserved, true
		m.requireReservedLines(rt, o, res)
	case reserved, committed:
		require.NoError(rt, err)
		m.requireReservedLines(rt, o, res)
	case rejected:
		var short *domain.InsufficientStockError
		require.ErrorAs(rt, err, &short, "a rejected order is rejected again")
	case released:
		if o.wasRejected {
			var short *domain.InsufficientStockError
			require.ErrorAs(rt, err, &short, "a rejected order is rejected again")
		} else {
			require.ErrorIs(rt, err, domain.ErrConflict, "a released order is not reserved again")
		}
	}
}

func (m *model) requireReservedLines(rt *rapid.T, o *modelOrder, res inventory.Reservation) {
	require.Len(rt, res.Lines, len(o.lines))
	entries, err := m.ports.Ledger.ByOrder(m.ctx, o.id)
	require.NoError(rt, err)
	for i, l := range res.Lines {
		require.Equal(rt, inventory.ReservedLine{ProductCode: o.lines[i].ProductCode, Quantity: o.lines[i].Quantity,
			UnitPrice: domain.Money{Minor: 100, Currency: "USD"}, Seq: l.Seq}, l)
		require.True(rt, slices.ContainsFunc(entries, func(e domain.Movement) bool {
			return e.ProductCode == l.ProductCode && e.Seq == l.Seq && e.Kind == domain.Reservation
		}), "line %s names its reservation entry (seq %d)", l.ProductCode, l.Seq)
	}
}

func (m *model) commit(rt *rapid.T, o *modelOrder) {
	_, err := m.service.Commit(m.ctx, o.id)
	if o.phase == reserved && m.putOff(rt, err, "commit", o) {
		return
	}
	if errors.Is(err, ErrInjected) {
		_, err = m.retry(rt, func() (inventory.Reservation, error) { return m.service.Commit(m.ctx, o.id) })
	}
	switch o.phase {
	case reserved, committed, pending:
		require.NoError(rt, err)
		o.phase = committed
	case fresh:
		require.ErrorIs(rt, err, domain.ErrNotFound)
	default:
		require.ErrorIs(rt, err, domain.ErrConflict, "commit of a %v order", o.phase)
	}
}

func (m *model) release(rt *rapid.T, o *modelOrder) {
	res, err := m.retry(rt, func() (inventory.Reservation, error) { return m.service.Release(m.ctx, o.id) })
	require.NoError(rt, err)
	// An abandoned Reserve may have finished its rejection before the fault: the record stays Rejected.
	if o.phase == rejected || (o.phase == abandoned && o.late == "reserve" && res.State == inventory.Rejected) {
		o.wasRejected = true
	}
	want := inventory.Released
	if o.wasRejected {
		want = inventory.Rejected
	}
	require.Equal(rt, want, res.State)
	o.phase = released
}

func (m *model) heads(rt *rapid.T) map[string]domain.StockLevel {
	out := map[string]domain.StockLevel{}
	for _, code := range m.products {
		head, err := m.ports.Ledger.Head(m.ctx, code)
		require.NoError(rt, err)
		out[code] = head.Level
	}
	return out
}

// check proves the invariants against the store.
func (m *model) check(rt *rapid.T) {
	// Each product's ledger: every entry follows from its predecessor by the rules (so onHand ≥
	// reserved ≥ 0 throughout), and the figures are the sums of the movements.
	unsettled := map[string]int64{}
	for _, code := range m.products {
		history, err := m.ports.Ledger.History(m.ctx, code, 0, 1000)
		require.NoError(rt, err)
		var level domain.StockLevel
		var received, shipped int64
		for i := len(history) - 1; i >= 0; i-- {
			e := history[i]
			require.Equal(rt, int64(len(history)-i), e.Seq, "%s: no gap", code)
			next, err := level.Apply(code, e.Kind, e.Quantity)
			require.NoError(rt, err, "entry %s breaks the rules", e.ID())
			require.Equal(rt, next, e.Level, "entry %s does not add up", e.ID())
			level = next
			switch e.Kind {
			case domain.Receipt, domain.Adjustment:
				received += e.Quantity
			case domain.Commit:
				shipped += e.Quantity
			}
		}
		require.NoError(rt, level.Check())
		require.Equal(rt, received-shipped, level.OnHand, "%s: units conserved", code)
		unsettled[code] = level.Reserved
	}

	for _, o := range m.orders {
		entries, err := m.ports.Ledger.ByOrder(m.ctx, o.id)
		require.NoError(rt, err)
		book := map[string]map[domain.MovementKind]domain.Movement{}
		for _, e := range entries {
			if book[e.ProductCode] == nil {
				book[e.ProductCode] = map[domain.MovementKind]domain.Movement{}
			}
			_, twice := book[e.ProductCode][e.Kind]
			require.False(rt, twice, "%s: two %s entries of %s", o.id, e.Kind, e.ProductCode)
			book[e.ProductCode][e.Kind] = e
		}
		// Exactly one net effect per product: reserved, then at most one settlement, and a restock
		// only of what was committed.
		for code, kinds := range book {
			r, hasR := kinds[domain.Reservation]
			c, hasC := kinds[domain.Commit]
			l, hasL := kinds[domain.Release]
			k, hasK := kinds[domain.Receipt]
			require.True(rt, hasR, "%s/%s: movements without a reservation", o.id, code)
			require.False(rt, hasC && hasL, "%s/%s: both committed and released", o.id, code)
			if hasC {
				require.Equal(rt, r.Quantity, c.Quantity)
				require.Greater(rt, c.Seq, r.Seq)
			}
			if hasL {
				require.Equal(rt, r.Quantity, l.Quantity)
				require.Greater(rt, l.Seq, r.Seq)
			}
			if hasK {
				require.True(rt, hasC, "%s/%s: restock of what was not committed", o.id, code)
				require.Equal(rt, c.Quantity, k.Quantity)
			}
			if !hasC && !hasL {
				unsettled[code] -= r.Quantity
			}
		}
		m.checkRecord(rt, o, book)
	}
	for code, rest := range unsettled {
		require.Zero(rt, rest, "%s: reserved is the sum of the reservations not yet settled", code)
	}
}

// checkRecord: the order's record and published events agree with its ledger entries.
func (m *model) checkRecord(rt *rapid.T, o *modelOrder, book map[string]map[domain.MovementKind]domain.Movement) {
	if o.phase == abandoned || o.phase == pending {
		return // half-done until its retry or release
	}
	res, err := m.ports.Reservations.Get(m.ctx, o.id)
	if o.phase == fresh {
		require.ErrorIs(rt, err, domain.ErrNotFound)
		require.Empty(rt, book)
		return
	}
	require.NoError(rt, err)
	want := map[phase]inventory.ReservationState{
		// Commit does not save its record (the ledger's commit entries, checked below, say it).
		reserved: inventory.Reserved, committed: inventory.Reserved, rejected: inventory.Rejected, released: inventory.Released,
	}[o.phase]
	if o.wasRejected {
		want = inventory.Rejected
	}
	require.Equal(rt, want, res.State, o.id)
	for _, l := range o.lines {
		kinds := book[l.ProductCode]
		_, hasR := kinds[domain.Reservation]
		_, hasC := kinds[domain.Commit]
		_, hasL := kinds[domain.Release]
		_, hasK := kinds[domain.Receipt]
		switch o.phase {
		case reserved:
			require.True(rt, hasR && !hasC && !hasL, "%s/%s reserved: %v", o.id, l.ProductCode, kinds)
		case committed:
			require.True(rt, hasR && hasC && !hasK, "%s/%s committed: %v", o.id, l.ProductCode, kinds)
		case rejected, released:
			require.True(rt, !hasR || hasL || (hasC && hasK), "%s/%s given back: %v", o.id, l.ProductCode, kinds)
		}
		// What the ledger settled went out on the broker; so did the reservations of a finished Reserve
		// that held (a rejected Reserve's reservations were never announced, only their releases).
		for kind, e := range kinds {
			if kind == domain.Reservation && (o.phase == rejected || o.wasRejected || !o.reserveDone) {
				continue
			}
			require.True(rt, m.ports.Events.Published("stock/"+e.ID()), "%s: event of %s %s", o.id, kind, e.ID())
		}
	}
}

func randomSuffix() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x", b)
}
