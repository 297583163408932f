package inventory_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
	"github.com/order-saga/shop/inventory/inventorytest"
)

// The scenarios of issue 10 (items 1–3), run over the fakes (unit) and over MongoDB and RabbitMQ
// (integration): each step fails part-way through an injected fault, and is then retried or
// followed by what the saga would do next.

type portsFactory func(t *testing.T) inventorytest.Ports

type scenario struct {
	ports   inventorytest.Ports // undecorated: what the store and broker really hold
	faults  *inventorytest.Faults
	service *inventory.Service // through the fault-injecting decorators
}

func newScenario(t *testing.T, newPorts portsFactory, products map[string]int64) scenario {
	t.Helper()
	ports := newPorts(t)
	faults := &inventorytest.Faults{}
	sc := scenario{ports: ports, faults: faults, service: ports.WithFaults(faults).Service(nil)}
	for code, qty := range products {
		_, err := sc.service.CreateProduct(context.Background(), inventory.NewProduct{
			Code: code, Name: "Product " + code, Price: domain.Money{Minor: 100, Currency: "USD"}, Quantity: qty,
		})
		require.NoError(t, err)
	}
	return sc
}

func (sc scenario) level(t *testing.T, code string) domain.StockLevel {
	t.Helper()
	head, err := sc.ports.Ledger.Head(context.Background(), code)
	require.NoError(t, err)
	return head.Level
}

// kinds lists an order's entries of one product by kind, oldest first.
func (sc scenario) kinds(t *testing.T, orderID, code string) []domain.MovementKind {
	t.Helper()
	entries, err := sc.ports.Ledger.ByOrder(context.Background(), orderID)
	require.NoError(t, err)
	out := []domain.MovementKind{}
	for _, e := range entries {
		if e.ProductCode == code {
			out = append(out, e.Kind)
		}
	}
	return out
}

func lines(pairs ...any) []inventory.LineRequest {
	var out []inventory.LineRequest
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, inventory.LineRequest{ProductCode: pairs[i].(string), Quantity: int64(pairs[i+1].(int))})
	}
	return out
}

// Item 1: a commit or release whose entry landed, then failed on the broker, is retried after the
// figures moved on; it must be recognised as done, not refused ("1 exceeds reserved 0").
func testRetriedSettlementAfterItsEntryLanded(t *testing.T, newPorts portsFactory) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		settle func(s *inventory.Service, ctx context.Context, orderID string) (inventory.Reservation, error)
		want   inventory.ReservationState
		kind   domain.MovementKind
		level  domain.StockLevel
	}{
		{"commit", (*inventory.Service).Commit, inventory.Committed, domain.Commit, domain.StockLevel{OnHand: 1}},
		{"release", (*inventory.Service).Release, inventory.Released, domain.Release, domain.StockLevel{OnHand: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := newScenario(t, newPorts, map[string]int64{"A": 2})
			_, err := sc.service.Reserve(ctx, "o1", lines("A", 1))
			require.NoError(t, err)
			sc.faults.Arm(inventorytest.OpPublish, 0, true) // the entry lands, the broker's answer is lost
			_, err = tc.settle(sc.service, ctx, "o1")
			require.ErrorIs(t, err, inventorytest.ErrInjected)
			require.Equal(t, domain.StockLevel{OnHand: tc.level.OnHand, Reserved: 0}, sc.level(t, "A"), "the entry landed")

			for range 2 {
				res, err := tc.settle(sc.service, ctx, "o1")
				require.NoError(t, err, "the retry recognises its entry")
				require.Equal(t, tc.want, res.State)
			}
			require.Equal(t, tc.level, sc.level(t, "A"))
			require.Equal(t, []domain.MovementKind{domain.Reservation, tc.kind}, sc.kinds(t, "o1", "A"), "applied once")
		})
	}
}

// Item 2: a commit appended for some lines and failed; the order is then cancelled. Release must
// restock what was committed and release only the rest: no other order's reservation is consumed.
func testCancelAfterAHalfDoneCommit(t *testing.T, newPorts portsFactory) {
	ctx := context.Background()
	sc := newScenario(t, newPorts, map[string]int64{"A": 2, "B": 2})
	_, err := sc.service.Reserve(ctx, "o1", lines("A", 1, "B", 1))
	require.NoError(t, err)
	_, err = sc.service.Reserve(ctx, "o2", lines("A", 1))
	require.NoError(t, err)

	sc.faults.Arm(inventorytest.OpAppend, 1, false) // A's commit lands, B's does not
	_, err = sc.service.Commit(ctx, "o1")
	require.ErrorIs(t, err, inventorytest.ErrInjected)
	require.Equal(t, domain.StockLevel{OnHand: 1, Reserved: 1}, sc.level(t, "A"))

	for range 2 {
		res, err := sc.service.Release(ctx, "o1")
		require.NoError(t, err)
		require.Equal(t, inventory.Released, res.State)
		require.True(t, res.Restocked)
	}
	require.Equal(t, domain.StockLevel{OnHand: 2, Reserved: 1}, sc.level(t, "A"), "A restocked; o2's unit still reserved")
	require.Equal(t, domain.StockLevel{OnHand: 2}, sc.level(t, "B"), "B released")
	require.Equal(t, []domain.MovementKind{domain.Reservation, domain.Commit, domain.Receipt}, sc.kinds(t, "o1", "A"))
	require.Equal(t, []domain.MovementKind{domain.Reservation, domain.Release}, sc.kinds(t, "o1", "B"))

	// A late retry of the commit changes nothing; o2 still gets its unit.
	_, err = sc.service.Commit(ctx, "o1")
	require.ErrorIs(t, err, domain.ErrConflict)
	_, err = sc.service.Commit(ctx, "o2")
	require.NoError(t, err)
	require.Equal(t, domain.StockLevel{OnHand: 1}, sc.level(t, "A"))
}

// Item 3: a rejected Reserve stops while rolling back (A released, B not); by the retry, the short
// product has stock again. The retry must finish the rollback and answer the same rejection, not
// reserve the order with A's line already given back.
func testRetriedRollbackKeepsReleasedLinesReleased(t *testing.T, newPorts portsFactory) {
	ctx := context.Background()
	sc := newScenario(t, newPorts, map[string]int64{"A": 5, "B": 5, "C": 1})
	order := lines("A", 1, "B", 1, "C", 2)

	// Appends: A, B reserved; C refused; A released (then the fault: B is not).
	sc.faults.Arm(inventorytest.OpAppend, 3, true)
	_, err := sc.service.Reserve(ctx, "o1", order)
	require.ErrorIs(t, err, inventorytest.ErrInjected)
	require.Equal(t, domain.StockLevel{OnHand: 5}, sc.level(t, "A"))
	require.Equal(t, domain.StockLevel{OnHand: 5, Reserved: 1}, sc.level(t, "B"))

	_, err = sc.service.SetStock(ctx, "C", 3) // stock arrives before the retry
	require.NoError(t, err)

	for range 2 {
		_, err = sc.service.Reserve(ctx, "o1", order)
		var short *domain.InsufficientStockError
		require.ErrorAs(t, err, &short, "the retry answers the rejection it made")
		require.Equal(t, "C", short.ProductCode)
	}
	for _, code := range []string{"A", "B"} {
		require.Equal(t, domain.StockLevel{OnHand: 5}, sc.level(t, code), code)
		require.Equal(t, []domain.MovementKind{domain.Reservation, domain.Release}, sc.kinds(t, "o1", code), code)
	}
	require.Equal(t, domain.StockLevel{OnHand: 3}, sc.level(t, "C"))
	res, err := sc.ports.Reservations.Get(ctx, "o1")
	require.NoError(t, err)
	require.Equal(t, inventory.Rejected, res.State)
}

// A commit attempt still running (a zombie whose activity timed out) races the compensation's
// release of the same order. The settlement slot decides each line once: a line is either released,
// or committed and then restocked; once the release is retried to completion nothing is held.
func testCommitRacingReleaseConverges(t *testing.T, newPorts portsFactory) {
	ctx := context.Background()
	const orders = 8
	sc := newScenario(t, newPorts, map[string]int64{"A": orders, "B": orders})
	ids := make([]string, orders)
	for i := range ids {
		ids[i] = fmt.Sprintf("o%d", i)
		_, err := sc.service.Reserve(ctx, ids[i], lines("A", 1, "B", 1))
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*orders)
	for _, id := range ids {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := sc.service.Commit(ctx, id); err != nil && !errors.Is(err, domain.ErrConflict) {
				errs <- err
			}
		}()
		go func() {
			defer wg.Done()
			if _, err := sc.service.Release(ctx, id); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	committed := 0
	for _, id := range ids {
		res, err := sc.service.Release(ctx, id) // the compensation retries until it is done
		require.NoError(t, err)
		require.Equal(t, inventory.Released, res.State)
		for _, code := range []string{"A", "B"} {
			kinds := sc.kinds(t, id, code)
			if len(kinds) == 3 {
				committed++
			}
			require.Contains(t, [][]domain.MovementKind{
				{domain.Reservation, domain.Release},
				{domain.Reservation, domain.Commit, domain.Receipt},
			}, kinds, "%s/%s", id, code)
		}
	}
	for _, code := range []string{"A", "B"} {
		require.Equal(t, domain.StockLevel{OnHand: orders}, sc.level(t, code), code)
	}
	t.Logf("%d of %d lines were committed, then restocked", committed, 2*orders)
}

// beforeAppend is a ledger that runs hook once, before the first append of product code.
type beforeAppend struct {
	inventory.Ledger
	code string
	hook func()
	once sync.Once
}

func (l *beforeAppend) Append(ctx context.Context, code, orderID string, kind domain.MovementKind,
	decide func(head domain.Movement) (domain.Movement, error)) (domain.Movement, error) {
	if code == l.code {
		l.once.Do(l.hook)
	}
	return l.Ledger.Append(ctx, code, orderID, kind, decide)
}

// A Reserve attempt that Temporal gave up on keeps running beside the compensation: the Release reads
// the order's entries after A was reserved and before B was. The late attempt must neither bring the
// record back to RESERVED nor keep B's units: nothing stays held.
func testLateReserveRacingReleaseHoldsNothing(t *testing.T, newPorts portsFactory) {
	ctx := context.Background()
	ports := newPorts(t)
	setup := ports.Service(nil)
	for _, code := range []string{"A", "B"} {
		_, err := setup.CreateProduct(ctx, inventory.NewProduct{
			Code: code, Name: "Product " + code, Price: domain.Money{Minor: 100, Currency: "USD"}, Quantity: 2,
		})
		require.NoError(t, err)
	}
	var released inventory.Reservation
	late := ports
	late.Ledger = &beforeAppend{Ledger: ports.Ledger, code: "B", hook: func() {
		var err error
		released, err = setup.Release(ctx, "o1") // the compensation, in between
		require.NoError(t, err)
	}}
	_, err := late.Service(nil).Reserve(ctx, "o1", lines("A", 1, "B", 1))
	require.ErrorIs(t, err, domain.ErrConflict, "the late attempt learns the order was released")
	require.Equal(t, inventory.Released, released.State)

	sc := scenario{ports: ports, service: setup}
	for _, code := range []string{"A", "B"} {
		require.Equal(t, domain.StockLevel{OnHand: 2}, sc.level(t, code), "%s: nothing held", code)
		require.Equal(t, []domain.MovementKind{domain.Reservation, domain.Release}, sc.kinds(t, "o1", code), code)
	}
	res, err := ports.Reservations.Get(ctx, "o1")
	require.NoError(t, err)
	require.Equal(t, inventory.Released, res.State, "the record stays released")
}
