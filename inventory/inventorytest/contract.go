package inventorytest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
)

// LedgerFixture is one inventory.Ledger under test, over an empty store of its own.
type LedgerFixture struct {
	Ledger inventory.Ledger
	// Again returns another handle on the same store, as a second process would have (with caches
	// of its own, if the implementation keeps any).
	Again func() inventory.Ledger
}

// next is the decide of a plain movement.
func next(code string, kind domain.MovementKind, qty int64, orderID string) func(domain.Movement) (domain.Movement, error) {
	return func(h domain.Movement) (domain.Movement, error) {
		return domain.Next(h, code, kind, qty, orderID, time.Now())
	}
}

// RunLedgerContract runs the contract of inventory.Ledger (see its doc comment) against newFixture's
// implementation.
func RunLedgerContract(t *testing.T, newFixture func(t *testing.T) LedgerFixture) {
	ctx := context.Background()
	appendOK := func(t *testing.T, l inventory.Ledger, code string, kind domain.MovementKind, qty int64, orderID string) domain.Movement {
		t.Helper()
		m, err := l.Append(ctx, code, orderID, kind, next(code, kind, qty, orderID))
		require.NoError(t, err, "%s %d of %s for %q", kind, qty, code, orderID)
		return m
	}
	requireHead := func(t *testing.T, l inventory.Ledger, code string, seq int64, level domain.StockLevel) {
		t.Helper()
		head, err := l.Head(ctx, code)
		require.NoError(t, err)
		require.Equal(t, seq, head.Seq, "head of %s", code)
		require.Equal(t, level, head.Level, "level of %s", code)
	}

	t.Run("entries follow one another; Head and History read them", func(t *testing.T) {
		l := newFixture(t).Ledger
		requireHead(t, l, "P", 0, domain.StockLevel{})
		first := appendOK(t, l, "P", domain.Receipt, 10, "")
		require.Equal(t, int64(1), first.Seq)
		second := appendOK(t, l, "P", domain.Reservation, 3, "o1")
		require.Equal(t, domain.Movement{ProductCode: "P", Seq: 2, Kind: domain.Reservation, Quantity: 3, OrderID: "o1",
			Level: domain.StockLevel{OnHand: 10, Reserved: 3}, At: second.At}, second)
		appendOK(t, l, "P", domain.Commit, 3, "o1")
		requireHead(t, l, "P", 3, domain.StockLevel{OnHand: 7})

		page, err := l.History(ctx, "P", 0, 2)
		require.NoError(t, err)
		require.Equal(t, []int64{3, 2}, seqs(page), "newest first, up to the limit")
		page, err = l.History(ctx, "P", 2, 10)
		require.NoError(t, err)
		require.Equal(t, []int64{1}, seqs(page), "older than beforeSeq")
		require.Equal(t, domain.Receipt, page[0].Kind)
		page, err = l.History(ctx, "NONE", 0, 10)
		require.NoError(t, err)
		require.Empty(t, page)
	})

	t.Run("an order movement is applied once", func(t *testing.T) {
		l := newFixture(t).Ledger
		appendOK(t, l, "P", domain.Receipt, 10, "")
		first := appendOK(t, l, "P", domain.Reservation, 2, "o1")
		again, err := l.Append(ctx, "P", "o1", domain.Reservation, next("P", domain.Reservation, 2, "o1"))
		require.ErrorIs(t, err, inventory.ErrAlreadyApplied)
		require.Equal(t, first.Seq, again.Seq, "the entry holding the key is returned")
		require.Equal(t, first.Level, again.Level)
		requireHead(t, l, "P", 2, domain.StockLevel{OnHand: 10, Reserved: 2})
		other := appendOK(t, l, "P", domain.Reservation, 2, "o2")
		require.Equal(t, domain.StockLevel{OnHand: 10, Reserved: 4}, other.Level, "another order is another key")
		// Receipts and adjustments without an order have no key: each one counts.
		appendOK(t, l, "P", domain.Receipt, 1, "")
		appendOK(t, l, "P", domain.Receipt, 1, "")
		requireHead(t, l, "P", 5, domain.StockLevel{OnHand: 12, Reserved: 4})
	})

	// Issue 10: a retried movement was refused by the stock rules ("1 exceeds reserved 0") before the
	// ledger looked at its key, once the figures had moved on.
	for _, tc := range []struct {
		name  string
		setup []move // what happened before; the last one is retried
		level domain.StockLevel
	}{
		{"a retried commit after the reserved figure fell", []move{
			{domain.Receipt, 1, ""}, {domain.Reservation, 1, "o"}, {domain.Commit, 1, "o"},
		}, domain.StockLevel{}},
		{"a retried release after the reserved figure fell", []move{
			{domain.Receipt, 1, ""}, {domain.Reservation, 1, "o"}, {domain.Release, 1, "o"},
		}, domain.StockLevel{OnHand: 1}},
		{"a retried reservation once the stock is gone", []move{
			{domain.Receipt, 1, ""}, {domain.Reservation, 1, "o"},
		}, domain.StockLevel{OnHand: 1, Reserved: 1}},
		{"a retried restock after on-hand was counted down", []move{
			{domain.Receipt, 2, ""}, {domain.Reservation, 1, "o"}, {domain.Commit, 1, "o"}, {domain.Receipt, 1, "o"},
			{domain.Adjustment, -2, ""},
		}, domain.StockLevel{}},
	} {
		t.Run("the key is recognised before the rules: "+tc.name, func(t *testing.T) {
			l := newFixture(t).Ledger
			var landed domain.Movement
			for _, mv := range tc.setup {
				m := appendOK(t, l, "P", mv.kind, mv.qty, mv.orderID)
				if mv.orderID != "" {
					landed = m
				}
			}
			seq := int64(len(tc.setup))
			requireHead(t, l, "P", seq, tc.level)
			refuse := func(domain.Movement) (domain.Movement, error) {
				return domain.Movement{}, fmt.Errorf("the stock rules refuse")
			}
			for _, decide := range []func(domain.Movement) (domain.Movement, error){
				next("P", landed.Kind, landed.Quantity, "o"), refuse,
			} {
				got, err := l.Append(ctx, "P", "o", landed.Kind, decide)
				require.ErrorIs(t, err, inventory.ErrAlreadyApplied)
				require.Equal(t, landed.Seq, got.Seq)
				require.Equal(t, landed.Kind, got.Kind)
			}
			requireHead(t, l, "P", seq, tc.level)
		})
	}

	t.Run("commit and release of one order and product share one settlement", func(t *testing.T) {
		l := newFixture(t).Ledger
		appendOK(t, l, "P", domain.Receipt, 10, "")
		appendOK(t, l, "P", domain.Reservation, 2, "o1")
		appendOK(t, l, "P", domain.Reservation, 2, "o2")
		commit := appendOK(t, l, "P", domain.Commit, 2, "o1")
		// The rules would let this release through (o2's units are reserved): the key must not.
		got, err := l.Append(ctx, "P", "o1", domain.Release, next("P", domain.Release, 2, "o1"))
		require.ErrorIs(t, err, inventory.ErrAlreadyApplied)
		require.Equal(t, commit.Seq, got.Seq)
		require.Equal(t, domain.Commit, got.Kind, "the caller learns the order was committed")

		release := appendOK(t, l, "P", domain.Release, 2, "o2")
		got, err = l.Append(ctx, "P", "o2", domain.Commit, next("P", domain.Commit, 2, "o2"))
		require.ErrorIs(t, err, inventory.ErrAlreadyApplied)
		require.Equal(t, release.Seq, got.Seq)
		require.Equal(t, domain.Release, got.Kind)
		requireHead(t, l, "P", 5, domain.StockLevel{OnHand: 8})
	})

	t.Run("a refusal by the newest entry is returned when the key is free", func(t *testing.T) {
		l := newFixture(t).Ledger
		appendOK(t, l, "P", domain.Receipt, 1, "")
		_, err := l.Append(ctx, "P", "o", domain.Reservation, next("P", domain.Reservation, 2, "o"))
		var short *domain.InsufficientStockError
		require.ErrorAs(t, err, &short)
		require.Equal(t, int64(1), short.Available)
		requireHead(t, l, "P", 1, domain.StockLevel{OnHand: 1})
		appendOK(t, l, "P", domain.Reservation, 1, "o") // the key was not taken by the refusal
	})

	t.Run("a reservation refused while nothing is reserved stands, whatever its key", func(t *testing.T) {
		l := newFixture(t).Ledger
		appendOK(t, l, "P", domain.Receipt, 1, "")
		appendOK(t, l, "P", domain.Reservation, 1, "o")
		release := appendOK(t, l, "P", domain.Release, 1, "o")
		requireHead(t, l, "P", 3, domain.StockLevel{OnHand: 1})
		// The order's reservation was settled (the service has its record by then): a refusal by the
		// rules is the answer, with no look for the key.
		_, err := l.Append(ctx, "P", "o", domain.Reservation, next("P", domain.Reservation, 2, "o"))
		var short *domain.InsufficientStockError
		require.ErrorAs(t, err, &short)
		// When the rules accept, the key still decides.
		got, err := l.Append(ctx, "P", "o", domain.Reservation, next("P", domain.Reservation, 1, "o"))
		require.ErrorIs(t, err, inventory.ErrAlreadyApplied)
		require.Equal(t, int64(2), got.Seq)
		// Units reserved by another order: the key is looked at again.
		appendOK(t, l, "P", domain.Reservation, 1, "o2")
		got, err = l.Append(ctx, "P", "o", domain.Reservation, next("P", domain.Reservation, 1, "o"))
		require.ErrorIs(t, err, inventory.ErrAlreadyApplied)
		require.Equal(t, int64(2), got.Seq)
		requireHead(t, l, "P", release.Seq+1, domain.StockLevel{OnHand: 1, Reserved: 1})
	})

	t.Run("decide must build the next entry of the product, kind and order asked for", func(t *testing.T) {
		l := newFixture(t).Ledger
		appendOK(t, l, "P", domain.Receipt, 5, "")
		for _, wrong := range []func(domain.Movement) (domain.Movement, error){
			next("P", domain.Reservation, 1, "other"),
			next("Q", domain.Reservation, 1, "o"),
			next("P", domain.Release, 1, "o"),
			func(h domain.Movement) (domain.Movement, error) { h.Seq += 2; return h, nil },
		} {
			_, err := l.Append(ctx, "P", "o", domain.Reservation, wrong)
			require.Error(t, err)
		}
		requireHead(t, l, "P", 1, domain.StockLevel{OnHand: 5})
	})

	t.Run("a second handle finds the newest entry and appends after it", func(t *testing.T) {
		f := newFixture(t)
		a := f.Ledger
		for range 20 {
			appendOK(t, a, "P", domain.Receipt, 1, "")
		}
		b := f.Again()
		requireHead(t, b, "P", 20, domain.StockLevel{OnHand: 20})
		appendOK(t, b, "P", domain.Receipt, 1, "")
		m := appendOK(t, a, "P", domain.Receipt, 1, "") // a has not seen b's entry
		require.Equal(t, int64(22), m.Seq)
		require.Equal(t, domain.StockLevel{OnHand: 22}, m.Level)
		// A refusal is judged against the newest entry: b has not seen a's last receipt.
		appendOK(t, b, "P", domain.Reservation, 22, "o")
	})

	t.Run("concurrent writers through two handles: no sequence lost or reused, one per key", func(t *testing.T) {
		f := newFixture(t)
		handles := []inventory.Ledger{f.Ledger, f.Again()}
		const writers, each = 6, 4
		var wg sync.WaitGroup
		errs := make(chan error, writers*each*2)
		applied := make(chan domain.Movement, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l := handles[w%2]
				for range each {
					if _, err := l.Append(ctx, "P", "", domain.Receipt, next("P", domain.Receipt, 1, "")); err != nil {
						errs <- err
					}
				}
				// Every writer tries the same order movement: one lands, the others are told so.
				m, err := l.Append(ctx, "Q", "o", domain.Receipt, next("Q", domain.Receipt, 5, "o"))
				switch {
				case err == nil:
					applied <- m
				case !errors.Is(err, inventory.ErrAlreadyApplied):
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		close(applied)
		for err := range errs {
			require.NoError(t, err)
		}
		require.Len(t, applied, 1, "exactly one writer applies the keyed movement")
		requireHead(t, f.Ledger, "P", writers*each, domain.StockLevel{OnHand: writers * each})
		requireHead(t, f.Again(), "Q", 1, domain.StockLevel{OnHand: 5})
		page, err := f.Ledger.History(ctx, "P", 0, 100)
		require.NoError(t, err)
		require.Len(t, page, writers*each)
		for i, m := range page {
			require.Equal(t, int64(writers*each-i), m.Seq)
			require.Equal(t, m.Seq, m.Level.OnHand, "each entry builds on its predecessor")
		}
	})

	t.Run("ByOrder returns the order's entries by product and sequence", func(t *testing.T) {
		l := newFixture(t).Ledger
		for _, code := range []string{"B", "A"} {
			appendOK(t, l, code, domain.Receipt, 5, "")
			appendOK(t, l, code, domain.Reservation, 1, "other")
			appendOK(t, l, code, domain.Reservation, 2, "o")
		}
		appendOK(t, l, "A", domain.Commit, 2, "o")
		got, err := l.ByOrder(ctx, "o")
		require.NoError(t, err)
		var keys []string
		for _, m := range got {
			keys = append(keys, fmt.Sprintf("%s#%d %s %d", m.ProductCode, m.Seq, m.Kind, m.Quantity))
		}
		require.Equal(t, []string{"A#3 reservation 2", "A#4 commit 2", "B#3 reservation 2"}, keys)
		none, err := l.ByOrder(ctx, "nobody")
		require.NoError(t, err)
		require.Empty(t, none)
	})
}

type move struct {
	kind    domain.MovementKind
	qty     int64
	orderID string
}

func seqs(ms []domain.Movement) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.Seq
	}
	return out
}

// RunReservationsContract runs the contract of inventory.Reservations against a store of the test's
// own from newStore.
func RunReservationsContract(t *testing.T, newStore func(t *testing.T) inventory.Reservations) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 16, 0, 0, 123_000_000, time.UTC)
	reserving := inventory.Reservation{OrderID: "o1", State: inventory.Reserving, UpdatedAt: at, Lines: []inventory.ReservedLine{
		{ProductCode: "A", Quantity: 2}, {ProductCode: "B", Quantity: 1},
	}}
	requireRecord := func(t *testing.T, s inventory.Reservations, want inventory.Reservation) {
		t.Helper()
		got, err := s.Get(ctx, want.OrderID)
		require.NoError(t, err)
		require.True(t, want.UpdatedAt.Equal(got.UpdatedAt), "updatedAt %v, want %v", got.UpdatedAt, want.UpdatedAt)
		got.UpdatedAt = want.UpdatedAt
		require.Equal(t, want, got)
	}

	t.Run("Insert stores a new record; a second Insert conflicts and changes nothing", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Insert(ctx, reserving))
		requireRecord(t, s, reserving)
		other := reserving
		other.State = inventory.Released
		other.Lines = nil
		require.ErrorIs(t, s.Insert(ctx, other), domain.ErrConflict)
		requireRecord(t, s, reserving)
	})

	t.Run("Get of an order without a record is not found", func(t *testing.T) {
		_, err := newStore(t).Get(ctx, "nobody")
		require.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("Save replaces the record", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Insert(ctx, reserving))
		for _, next := range []inventory.Reservation{
			{OrderID: "o1", State: inventory.Reserving, UpdatedAt: at.Add(time.Second), Lines: []inventory.ReservedLine{{ProductCode: "A", Quantity: 2}},
				Rejection: &inventory.Rejection{Reason: inventory.ReasonInsufficientStock, ProductCode: "B", Requested: 3, Available: 1}},
			{OrderID: "o1", State: inventory.Reserved, UpdatedAt: at.Add(2 * time.Second), Lines: []inventory.ReservedLine{
				{ProductCode: "A", Quantity: 2, UnitPrice: domain.Money{Minor: 250, Currency: "USD"}},
			}},
			{OrderID: "o1", State: inventory.Released, Restocked: true, UpdatedAt: at.Add(3 * time.Second), Lines: []inventory.ReservedLine{
				{ProductCode: "A", Quantity: 2, UnitPrice: domain.Money{Minor: 250, Currency: "USD"}},
			}},
		} {
			require.NoError(t, s.Save(ctx, next))
			requireRecord(t, s, next)
		}
	})

	t.Run("Save never moves a record back", func(t *testing.T) {
		for _, c := range []struct{ from, to inventory.ReservationState }{
			{inventory.Released, inventory.Reserved},
			{inventory.Released, inventory.Committed},
			{inventory.Released, inventory.Reserving},
			{inventory.Rejected, inventory.Reserved},
			{inventory.Committed, inventory.Reserved},
			{inventory.Reserved, inventory.Reserving},
		} {
			s := newStore(t)
			stored := reserving
			stored.State = c.from
			require.NoError(t, s.Insert(ctx, stored))
			late := stored
			late.State, late.UpdatedAt = c.to, at.Add(time.Minute)
			require.ErrorIs(t, s.Save(ctx, late), domain.ErrConflict, "%s over %s", c.to, c.from)
			requireRecord(t, s, stored)
		}
	})
}
