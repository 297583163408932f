package inventory

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/order-saga/shop/domain"
)

// Reserve holds stock for every line of an order, or for none: if one line cannot be had, the lines
// already reserved are released and the order is rejected with a typed error
// (*domain.UnknownProductError or *domain.InsufficientStockError). Each line's unit price is taken
// from the catalogue at this moment and returned as the order's price source.
//
// Any number of calls with the same orderID reserve once and answer the same.
//
// The order's record is written once, after its entries (one write per order, not three: FerretDB
// manages some 80–165 small writes a second). Entries without a record are what an attempt that
// stopped half-way leaves: a retry finds them by their idempotency keys as it appends, and a Release
// finds them by reading the order's entries. A record written before the entries is left only by a
// rejection (its rollback must be resumed, never reserved again) or a Release.
func (s *Service) Reserve(ctx context.Context, orderID string, lines []LineRequest) (Reservation, error) {
	merged, err := mergeLines(orderID, lines)
	if err != nil {
		return Reservation{}, err
	}
	switch res, err := s.reservations.Get(ctx, orderID); {
	case err == nil:
		return s.resumeReserve(ctx, res)
	case !errors.Is(err, domain.ErrNotFound):
		return Reservation{}, fmt.Errorf("reserve %s: %w", orderID, err)
	}
	res := Reservation{OrderID: orderID, State: Reserving, UpdatedAt: s.now()}
	for _, l := range merged {
		res.Lines = append(res.Lines, ReservedLine{ProductCode: l.ProductCode, Quantity: l.Quantity})
	}
	return s.reserveLines(ctx, res, false, nil)
}

// resumeReserve answers a Reserve of an order with a record: from the record when an earlier attempt
// finished, by reconciling with the ledger when it stopped half-way.
func (s *Service) resumeReserve(ctx context.Context, res Reservation) (Reservation, error) {
	orderID := res.OrderID
	switch res.State {
	case Reserved, Committed:
		return res, nil
	case Rejected:
		return res, res.Rejection.Err()
	case Released:
		return res, fmt.Errorf("reserve %s: the order's stock was already released: %w", orderID, domain.ErrConflict)
	}
	entries, err := s.ledger.ByOrder(ctx, orderID)
	if err != nil {
		return Reservation{}, fmt.Errorf("reserve %s: read earlier entries: %w", orderID, err)
	}
	return s.reserveLines(ctx, res, true, entries)
}

// recordOnce stores res: inserted when the order has no record yet (recorded is false), saved over
// the stored one otherwise. A record that turned up meanwhile is saved over, forward only (Save).
func (s *Service) recordOnce(ctx context.Context, res Reservation, recorded bool) error {
	if !recorded {
		err := s.reservations.Insert(ctx, res)
		if !errors.Is(err, domain.ErrConflict) {
			return err
		}
	}
	return s.reservations.Save(ctx, res)
}

// reserveLines appends a reservation per line (earlier is what an interrupted attempt left; recorded
// says whether the order has a record), then records the outcome. Events go out before the record
// says RESERVED, so a crash in between is followed by a retry that publishes them again under the
// same ids.
func (s *Service) reserveLines(ctx context.Context, res Reservation, recorded bool, earlier []domain.Movement) (Reservation, error) {
	book := orderBook(earlier)
	done := map[string]domain.Movement{} // product code -> its reservation entry, not settled
	settled := false
	for code, p := range book {
		if p.settled() {
			settled = true
		} else if p.reservation != nil {
			done[code] = *p.reservation
		}
	}
	if res.Rejection != nil {
		// An earlier attempt was rejected and stopped while rolling back: finish the rollback, and
		// publish the releases it made (their events may not have gone out; same ids if they did).
		for _, code := range sortedKeys(book) {
			if e := book[code].release; e != nil {
				if err := s.publishMovement(ctx, *e, -1); err != nil {
					return Reservation{}, err
				}
			}
		}
		return s.rollBack(ctx, res, recorded, done, res.Rejection)
	}
	if settled {
		// Some line was released or committed while the record still says Reserving: a Release ran
		// on the interrupted Reserve. Reserving it again would bring released stock back.
		return res, fmt.Errorf("reserve %s: the order's stock is being released: %w", res.OrderID, domain.ErrConflict)
	}
	var appended []domain.Movement
	var rejection *Rejection
	lowMark := map[string]int64{}
	for i, line := range res.Lines {
		p, err := s.catalog.Get(ctx, line.ProductCode)
		if errors.Is(err, domain.ErrNotFound) {
			rejection = &Rejection{Reason: ReasonUnknownProduct, ProductCode: line.ProductCode, Requested: line.Quantity}
			break
		}
		if err != nil {
			return Reservation{}, fmt.Errorf("reserve %s: %w", res.OrderID, err)
		}
		lowMark[line.ProductCode] = p.LowStockThreshold
		entry, ok := done[line.ProductCode]
		if !ok {
			entry, err = s.ledger.Append(ctx, line.ProductCode, res.OrderID, domain.Reservation, func(head domain.Movement) (domain.Movement, error) {
				m, err := domain.Next(head, line.ProductCode, domain.Reservation, line.Quantity, res.OrderID, s.now())
				if err != nil {
					return m, err
				}
				price := p.Price
				m.UnitPrice = &price
				return m, nil
			})
			var short *domain.InsufficientStockError
			switch {
			case errors.As(err, &short):
				rejection = &Rejection{Reason: ReasonInsufficientStock, ProductCode: line.ProductCode, Requested: line.Quantity, Available: short.Available}
			case err != nil && !errors.Is(err, ErrAlreadyApplied):
				return Reservation{}, fmt.Errorf("reserve %s of %s: %w", res.OrderID, line.ProductCode, err)
			}
			if rejection != nil {
				break
			}
			appended = append(appended, entry)
			done[line.ProductCode] = entry
		}
		res.Lines[i].UnitPrice, res.Lines[i].Seq = p.Price, entry.Seq
		if entry.UnitPrice != nil {
			res.Lines[i].UnitPrice = *entry.UnitPrice
		}
	}

	if rejection != nil {
		return s.rollBack(ctx, res, recorded, done, rejection)
	}
	for _, e := range appended {
		if err := s.publishMovement(ctx, e, lowMark[e.ProductCode]); err != nil {
			return Reservation{}, err
		}
	}
	// An interrupted attempt's entries were published then, or will be now: same ids either way.
	for _, code := range sortedKeys(book) {
		if e := book[code].reservation; e != nil {
			if err := s.publishMovement(ctx, *e, lowMark[code]); err != nil {
				return Reservation{}, err
			}
		}
	}
	res.State, res.UpdatedAt = Reserved, s.now()
	if !recorded {
		switch err := s.reservations.Insert(ctx, res); {
		case err == nil:
			return res, nil
		case !errors.Is(err, domain.ErrConflict):
			return Reservation{}, fmt.Errorf("reserve %s: record: %w", res.OrderID, err)
		}
		stored, err := s.reservations.Get(ctx, res.OrderID)
		if err != nil {
			return Reservation{}, fmt.Errorf("reserve %s: %w", res.OrderID, err)
		}
		switch {
		case stored.State == Reserved || stored.State == Committed:
			return stored, nil // another attempt recorded the same entries first: its answer stands
		case stored.State != Reserving || stored.Rejection != nil:
			// A Release or a rejection recorded the order meanwhile.
			return Reservation{}, s.giveBackLate(ctx, res.OrderID, domain.ErrConflict)
		}
		// A Reserving record without a rejection (an attempt of an earlier version, which recorded
		// before its entries): saved over below, forward only, as a resumed attempt does.
	}
	switch err := s.reservations.Save(ctx, res); {
	case errors.Is(err, domain.ErrConflict):
		return Reservation{}, s.giveBackLate(ctx, res.OrderID, err)
	case err != nil:
		return Reservation{}, fmt.Errorf("reserve %s: record: %w", res.OrderID, err)
	}
	return res, nil
}

// giveBackLate answers a Reserve that finds its order released or rejected while it reserved (a late
// attempt, running beside the compensation or a rejecting attempt): what it reserved after the
// release read the ledger goes back too.
func (s *Service) giveBackLate(ctx context.Context, orderID string, cause error) error {
	if _, err := s.giveBackAll(ctx, orderID); err != nil {
		return fmt.Errorf("reserve %s: give back after a release: %w", orderID, err)
	}
	return fmt.Errorf("reserve %s: the order's stock was released meanwhile: %w", orderID, cause)
}

// rollBack releases what a rejected Reserve had reserved and records the rejection. The rejection
// is recorded first (the record still says Reserving), so that an attempt that stops half-way is
// resumed by finishing the rollback, never by reserving again (one write more, on rejections only).
func (s *Service) rollBack(ctx context.Context, res Reservation, recorded bool, reserved map[string]domain.Movement, why *Rejection) (Reservation, error) {
	res.Rejection = why
	for i := range res.Lines {
		res.Lines[i].UnitPrice = domain.Money{}
	}
	if len(reserved) > 0 {
		res.UpdatedAt = s.now()
		if err := s.recordOnce(ctx, res, recorded); err != nil {
			return Reservation{}, fmt.Errorf("reserve %s: record rejection before rollback: %w", res.OrderID, err)
		}
		recorded = true
	}
	note := why.Err().Error()
	for _, code := range sortedKeys(reserved) {
		if _, err := s.move(ctx, code, res.OrderID, domain.Release, reserved[code].Quantity, note); err != nil {
			return Reservation{}, fmt.Errorf("reserve %s: roll back %s: %w", res.OrderID, code, err)
		}
	}
	res.State, res.UpdatedAt = Rejected, s.now()
	if err := s.recordOnce(ctx, res, recorded); err != nil {
		return Reservation{}, fmt.Errorf("reserve %s: record rejection: %w", res.OrderID, err)
	}
	return res, why.Err()
}

// Commit turns an order's reservations into goods that left the warehouse. Repeated calls commit once.
// It answers with the record as COMMITTED; the stored record keeps saying RESERVED.
func (s *Service) Commit(ctx context.Context, orderID string) (Reservation, error) {
	res, err := s.reservations.Get(ctx, orderID)
	if err != nil {
		return Reservation{}, fmt.Errorf("commit %s: %w", orderID, err)
	}
	switch res.State {
	case Committed:
		return res, nil
	case Reserved:
	default:
		return res, fmt.Errorf("commit %s: reservation is %s: %w", orderID, res.State, domain.ErrConflict)
	}
	for _, l := range res.Lines {
		m, err := s.move(ctx, l.ProductCode, orderID, domain.Commit, l.Quantity, "")
		if err != nil {
			return Reservation{}, fmt.Errorf("commit %s: %w", orderID, err)
		}
		if m.Kind != domain.Commit {
			// The settlement slot holds a release: the order was released since this attempt read
			// its record (a late retry racing the compensation). The release stands.
			return res, fmt.Errorf("commit %s: %s was released meanwhile: %w", orderID, l.ProductCode, domain.ErrConflict)
		}
	}
	// The record is not saved as COMMITTED (a write and a read per order saved): the commit entries
	// say the goods left, and every reader of the record treats RESERVED as it did COMMITTED (Release
	// and a late Reserve read the entries or answer from the lines), but for a repeated Commit, which
	// finds its entries by their idempotency keys and commits nothing again.
	res.State, res.UpdatedAt = Committed, s.now()
	return res, nil
}

// Release gives back an order's stock: reserved units return to available, committed goods are
// restocked with a receipt. It is the saga's compensation and may be called at any time, any number
// of times, even before or without a Reserve: then it leaves a record that makes a late Reserve of
// the same order refuse.
//
// What it gives back is read from the order's own ledger entries, per product, whatever the record
// says: a commit may have settled some lines and stopped, a Reserve may have stopped half-way. This
// costs one read of the order's entries (a scan on FerretDB), on the compensation path only.
func (s *Service) Release(ctx context.Context, orderID string) (Reservation, error) {
	res, err := s.reservations.Get(ctx, orderID)
	if errors.Is(err, domain.ErrNotFound) {
		res, err = s.releaseUnrecorded(ctx, orderID)
	}
	if err != nil {
		return Reservation{}, fmt.Errorf("release %s: %w", orderID, err)
	}
	if res.State == Released || res.State == Rejected {
		return res, nil // recorded only once every line was given back
	}
	var restocked bool
	if linesKnown(res) {
		restocked, err = s.giveBackLines(ctx, res)
	} else {
		restocked, err = s.giveBackAll(ctx, orderID) // a Reserve that stopped half-way, or an old record
	}
	if err != nil {
		return Reservation{}, fmt.Errorf("release %s: %w", orderID, err)
	}
	res.Restocked = res.Restocked || restocked
	res.State, res.UpdatedAt = Released, s.now()
	switch err := s.reservations.Save(ctx, res); {
	case errors.Is(err, domain.ErrConflict):
		// A late Reserve recorded its rejection (its rollback done) or another Release finished first.
		if final, gerr := s.reservations.Get(ctx, orderID); gerr == nil && (final.State == Released || final.State == Rejected) {
			return final, nil
		}
		return Reservation{}, fmt.Errorf("release %s: record: %w", orderID, err)
	case err != nil:
		return Reservation{}, fmt.Errorf("release %s: record: %w", orderID, err)
	}
	return res, nil
}

// releaseUnrecorded releases an order without a record. A Reserve records its order only once its
// entries are made, so an attempt may have left entries (or be making them): they are given back
// first, then a Released record is left, which makes a late Reserve refuse (and give back what it
// reserved after this read the ledger). Should a Reserve record the order first, that record is
// returned, to be released as any other.
func (s *Service) releaseUnrecorded(ctx context.Context, orderID string) (Reservation, error) {
	restocked, err := s.giveBackAll(ctx, orderID)
	if err != nil {
		return Reservation{}, err
	}
	tombstone := Reservation{OrderID: orderID, State: Released, Restocked: restocked, UpdatedAt: s.now()}
	switch err := s.reservations.Insert(ctx, tombstone); {
	case err == nil:
		return tombstone, nil
	case !errors.Is(err, domain.ErrConflict):
		return Reservation{}, err
	}
	return s.reservations.Get(ctx, orderID)
}

// linesKnown tells whether a record names the reservation entry of each of its lines: a RESERVED record
// of this version (written once every entry was made). Older records, whose settlements may hold the
// release key of an earlier version, are settled from the order's entries.
func linesKnown(res Reservation) bool {
	if res.State != Reserved && res.State != Committed {
		return false
	}
	for _, l := range res.Lines {
		if l.Seq == 0 {
			return false
		}
	}
	return len(res.Lines) > 0
}

// giveBackLines settles every line of a reserved order (giveBack) without reading its entries first:
// each line's reservation entry is known to exist (linesKnown), so it can be released straight away.
// Where the line's settlement slot is taken, the ledger answers with the entry that holds it: an
// earlier release (a retry: its events go out again) or a commit (the goods left: they are restocked,
// once). This spares the compensation a read of the order's entries, which FerretDB answers with a
// scan of the whole ledger.
func (s *Service) giveBackLines(ctx context.Context, res Reservation) (bool, error) {
	restocked := false
	for _, l := range res.Lines {
		reservation := domain.Movement{ProductCode: l.ProductCode, Seq: l.Seq, Kind: domain.Reservation, Quantity: l.Quantity, OrderID: res.OrderID}
		r, err := s.giveBack(ctx, res.OrderID, l.ProductCode, productEntries{reservation: &reservation})
		if err != nil {
			return false, err
		}
		restocked = restocked || r
	}
	return restocked, nil
}

// giveBackAll settles every product of a released order from its ledger entries (giveBack) and
// reports whether goods were restocked.
func (s *Service) giveBackAll(ctx context.Context, orderID string) (bool, error) {
	entries, err := s.ledger.ByOrder(ctx, orderID)
	if err != nil {
		return false, err
	}
	book := orderBook(entries)
	restocked := false
	for _, code := range sortedKeys(book) {
		r, err := s.giveBack(ctx, orderID, code, book[code])
		if err != nil {
			return false, err
		}
		restocked = restocked || r
	}
	return restocked, nil
}

// giveBack settles one product of a released order: a reservation not yet settled is released; a
// commit is restocked (once). It reports whether goods were restocked.
func (s *Service) giveBack(ctx context.Context, orderID, code string, p productEntries) (bool, error) {
	settlement := p.settlement()
	switch {
	case settlement == nil && p.reservation == nil:
		return false, nil
	case settlement == nil:
		m, err := s.move(ctx, code, orderID, domain.Release, p.reservation.Quantity, "compensation")
		if err != nil {
			return false, err
		}
		// The settlement slot may hold a commit that landed after the entries were read (a late
		// commit attempt): then the goods left and come back as a restock.
		settlement = &m
	default:
		// An earlier attempt's entry: its events may not have gone out (same ids if they did).
		if err := s.publishMovement(ctx, *settlement, -1); err != nil {
			return false, err
		}
	}
	if settlement.Kind != domain.Commit {
		return false, nil
	}
	if p.restock != nil {
		return true, s.publishMovement(ctx, *p.restock, -1)
	}
	if _, err := s.move(ctx, code, orderID, domain.Receipt, settlement.Quantity, "restock of a cancelled order"); err != nil {
		return false, fmt.Errorf("restock: %w", err)
	}
	return true, nil
}

// move appends one order movement (idempotently) and publishes its events.
func (s *Service) move(ctx context.Context, code, orderID string, kind domain.MovementKind, qty int64, note string) (domain.Movement, error) {
	m, err := s.ledger.Append(ctx, code, orderID, kind, func(head domain.Movement) (domain.Movement, error) {
		m, err := domain.Next(head, code, kind, qty, orderID, s.now())
		m.Note = note
		return m, err
	})
	if err != nil && !errors.Is(err, ErrAlreadyApplied) {
		return m, fmt.Errorf("%s %d of %s: %w", kind, qty, code, err)
	}
	// Release, commit and receipt never lower available stock: no low-stock check (mark -1).
	return m, s.publishMovement(ctx, m, -1)
}

// mergeLines validates an order's lines (as the order service did: domain.ValidateOrderLines) and folds
// repeated products into one line each, in code order, because the ledger keeps one movement of each
// kind per product and order.
func mergeLines(orderID string, lines []LineRequest) ([]LineRequest, error) {
	var v domain.ValidationError
	if orderID == "" {
		v.Add("orderId", "must not be empty")
	}
	ordered := make([]domain.OrderLine, len(lines))
	for i, l := range lines {
		ordered[i] = domain.OrderLine{ProductCode: l.ProductCode, Quantity: l.Quantity}
	}
	domain.ValidateOrderLines(&v, ordered)
	if err := v.Err(); err != nil {
		return nil, err
	}
	qty := map[string]int64{}
	for _, l := range lines {
		qty[l.ProductCode] += l.Quantity
	}
	out := make([]LineRequest, 0, len(qty))
	for _, code := range sortedKeys(qty) {
		out = append(out, LineRequest{ProductCode: code, Quantity: qty[code]})
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
