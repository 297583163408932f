package mongodb

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/prometheus/client_golang/prometheus"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
)

// Ledger is the stock ledger in MongoDB: collection stock_movements, one document per entry, _id
// "<productCode>#<seq>". Appending entry n+1 succeeds only if nobody else did (unique _id), which is
// the optimistic lock; a unique "idem" key per (product, order, kind) makes saga movements
// idempotent. Both guarantees come from unique indexes, which FerretDB enforces atomically, unlike a
// conditional update (DESIGN.md, "Stock correctness").
//
// Finding the newest entry: FerretDB answers only a single-_id filter without scanning the collection,
// so the ledger keeps the newest entry it has seen per product in memory (entries never change, so a
// cached entry is always right; only whether it is still the newest is in question, and the insert
// answers that) and walks forward by _id from there. A hint in stock_heads bounds the walk after a
// restart. Neither ever decides a stock figure.
type Ledger struct {
	movements *mongo.Collection
	heads     *mongo.Collection

	cache *lru.Cache[string, domain.Movement] // product code -> the newest entry seen; bounded
	// keys remembers, by idempotency key, the order movements this process appended or found:
	// FerretDB answers the key's filter with a scan of the whole collection, so a settlement that
	// finds its slot taken (a release after a commit, a retried commit) asks here first. Entries never
	// change, so a remembered one is always right; a key not remembered is looked up as before.
	keys *lru.Cache[string, domain.Movement]
	// locks serialise appends to one product within the process (stripes: bounded memory, and two
	// products rarely share one).
	locks *keyLocks

	attempts *prometheus.HistogramVec
}

// Tuning of the ledger.
const (
	// maxAppendAttempts bounds the optimistic-lock retries of one append. With 32 writers on one
	// product each round lets one through, so a writer rarely needs more than a few dozen.
	maxAppendAttempts = 500
	// hintEvery: the stored head hint is refreshed every this many entries, bounding a cold walk.
	hintEvery = 16
	// cachedHeads bounds the newest-entry cache; a product that fell out walks from its hint again.
	cachedHeads = 100_000
	// rememberedKeys bounds the idempotency-key cache: about 3 entries per order, so the last ~20,000
	// orders' settlements find their slot without a scan.
	rememberedKeys = 65_536
	lockStripes    = 1024
)

// NewLedger returns the ledger in db and creates its indexes.
func NewLedger(ctx context.Context, db *mongo.Database, reg prometheus.Registerer) (*Ledger, error) {
	cache, err := lru.New[string, domain.Movement](cachedHeads)
	if err != nil {
		return nil, fmt.Errorf("ledger cache: %w", err)
	}
	keys, err := lru.New[string, domain.Movement](rememberedKeys)
	if err != nil {
		return nil, fmt.Errorf("ledger key cache: %w", err)
	}
	l := &Ledger{
		locks:     newKeyLocks(lockStripes),
		cache:     cache,
		keys:      keys,
		movements: db.Collection("stock_movements"),
		heads:     db.Collection("stock_heads"),
		attempts: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "inventory_ledger_append_attempts",
			Help:    "Insert attempts one ledger append needed (more than 1: it lost the optimistic-lock race).",
			Buckets: []float64{1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144},
		}, []string{"kind"}),
	}
	if reg != nil {
		if err := reg.Register(l.attempts); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return nil, fmt.Errorf("register ledger metrics: %w", err)
			}
			l.attempts = are.ExistingCollector.(*prometheus.HistogramVec)
		}
	}
	for _, kind := range []domain.MovementKind{domain.Receipt, domain.Adjustment, domain.Reservation, domain.Release, domain.Commit} {
		l.attempts.WithLabelValues(string(kind)) // each kind's series from the start: dashboards show it at 0
	}
	err = ensureIndexes(ctx, l.movements, []mongo.IndexModel{
		{Keys: bson.D{{Key: "idem", Value: 1}}, Options: options.Index().SetUnique(true).SetName("idem_unique")},
		{Keys: bson.D{{Key: "productCode", Value: 1}, {Key: "seq", Value: -1}}, Options: options.Index().SetName("product_seq")},
		{Keys: bson.D{{Key: "orderId", Value: 1}}, Options: options.Index().SetName("order")},
	}...)
	if err != nil {
		return nil, fmt.Errorf("create ledger indexes: %w", err)
	}
	return l, nil
}

type movementDoc struct {
	ID             string    `bson:"_id"`
	ProductCode    string    `bson:"productCode"`
	Seq            int64     `bson:"seq"`
	Kind           string    `bson:"kind"`
	Quantity       int64     `bson:"quantity"`
	OrderID        string    `bson:"orderId,omitempty"`
	UnitPriceMinor *int64    `bson:"unitPriceMinor,omitempty"`
	Currency       string    `bson:"currency,omitempty"`
	OnHand         int64     `bson:"onHand"`
	Reserved       int64     `bson:"reserved"`
	Available      int64     `bson:"available"`
	At             time.Time `bson:"at"`
	Note           string    `bson:"note,omitempty"`
	// Idem is unique: "<code>|<orderId>|<slot>" for saga movements (inventory.IdempotencySlot: commit
	// and release share the slot "commit"), the entry's own id otherwise.
	Idem string `bson:"idem"`
}

func idemKey(code, orderID string, kind domain.MovementKind, id string) string {
	if orderID == "" {
		return id
	}
	return code + "|" + orderID + "|" + inventory.IdempotencySlot(kind)
}

// idemKeys are the keys that say an order movement was made: its own, and for a settlement the key
// "<code>|<orderId>|release" that releases had before they shared the commit's slot (stored entries
// keep it, and must still count).
func idemKeys(code, orderID string, kind domain.MovementKind) []string {
	keys := []string{idemKey(code, orderID, kind, "")}
	if inventory.IdempotencySlot(kind) == inventory.SettlementSlot {
		keys = append(keys, code+"|"+orderID+"|"+string(domain.Release))
	}
	return keys
}

func toMovementDoc(m domain.Movement) movementDoc {
	d := movementDoc{
		ID: m.ID(), ProductCode: m.ProductCode, Seq: m.Seq, Kind: string(m.Kind), Quantity: m.Quantity,
		OrderID: m.OrderID, OnHand: m.Level.OnHand, Reserved: m.Level.Reserved, Available: m.Level.Available(),
		At: m.At.UTC(), Note: m.Note, Idem: idemKey(m.ProductCode, m.OrderID, m.Kind, m.ID()),
	}
	if m.UnitPrice != nil {
		minor := m.UnitPrice.Minor
		d.UnitPriceMinor, d.Currency = &minor, m.UnitPrice.Currency
	}
	return d
}

func (d movementDoc) movement() domain.Movement {
	m := domain.Movement{
		ProductCode: d.ProductCode, Seq: d.Seq, Kind: domain.MovementKind(d.Kind), Quantity: d.Quantity,
		OrderID: d.OrderID, Level: domain.StockLevel{OnHand: d.OnHand, Reserved: d.Reserved}, At: d.At, Note: d.Note,
	}
	if d.UnitPriceMinor != nil {
		m.UnitPrice = &domain.Money{Minor: *d.UnitPriceMinor, Currency: d.Currency}
	}
	return m
}

// Append implements inventory.Ledger.
func (l *Ledger) Append(ctx context.Context, code, orderID string, kind domain.MovementKind,
	decide func(head domain.Movement) (domain.Movement, error)) (domain.Movement, error) {
	// Writers in this process take turns per product: racing each other for the same sequence number
	// would only burn inserts (measured: 11/s on one hot product with 16 racers, see the README).
	// Writers in other processes still race, and the unique _id still decides.
	defer l.locks.lock(code)()

	// Start from the entry last seen without reading ahead: the insert itself says whether it is
	// still the newest, which saves a read per append.
	head, err := l.start(ctx, code)
	if err != nil {
		return domain.Movement{}, err
	}
	for attempt := 1; attempt <= maxAppendAttempts; attempt++ {
		m, decideErr := decide(head)
		if decideErr != nil {
			// A refusal counts only against the newest entry: a stale head may have had less stock.
			newer, err := l.walk(ctx, head)
			if err != nil {
				return domain.Movement{}, err
			}
			if newer.Seq != head.Seq {
				head = newer
				continue
			}
			// The newest entry refuses; but the figures may have moved on because this very movement
			// was made (a retried commit finds "1 exceeds reserved 0"). The key decides, not the rule.
			// Reading the key only here, once a rule refused, gives the same outcome as reading it
			// first (had decide accepted, the insert's unique key would have said "already made") and
			// costs nothing on the happy path; that matters because FerretDB answers this filter with a
			// scan of the collection (an index serves it on MongoDB). A reservation refused while
			// nothing is reserved needs no look at all (inventory.RefusalStands): that is every order
			// for a sold-out product, which would otherwise cost a scan each.
			if orderID != "" && !inventory.RefusalStands(kind, head) {
				existing, found, err := l.byIdem(ctx, code, orderID, kind)
				if err != nil {
					return domain.Movement{}, err
				}
				if found {
					return existing, inventory.ErrAlreadyApplied
				}
			}
			return m, decideErr
		}
		if m.Seq != head.Seq+1 || m.ProductCode != code || m.Kind != kind || m.OrderID != orderID {
			return domain.Movement{}, fmt.Errorf("append to %s: decide built %s %s, not the %s after seq %d", code, m.Kind, m.ID(), kind, head.Seq)
		}
		_, err := l.movements.InsertOne(ctx, toMovementDoc(m))
		if err == nil {
			l.cache.Add(code, m)
			l.remember(m)
			l.attempts.WithLabelValues(string(kind)).Observe(float64(attempt))
			if m.Seq%hintEvery == 0 {
				l.saveHint(ctx, code, m.Seq)
			}
			return m, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return domain.Movement{}, fmt.Errorf("append %s: %w", m.ID(), err)
		}
		// Which key was taken: the sequence number (another writer was first: move on to its entry)
		// or the idempotency key (this movement was made before)?
		next, found, err := l.get(ctx, domain.MovementID(code, head.Seq+1))
		if err != nil {
			return domain.Movement{}, err
		}
		if !found {
			if orderID == "" {
				return domain.Movement{}, fmt.Errorf("append %s: duplicate key but no entry holds it: %w", m.ID(), err)
			}
			existing, found, err := l.byIdem(ctx, code, orderID, kind)
			if err != nil {
				return domain.Movement{}, err
			}
			if !found {
				return domain.Movement{}, fmt.Errorf("append %s: duplicate key but no entry holds it", m.ID())
			}
			return existing, inventory.ErrAlreadyApplied
		}
		if head, err = l.walk(ctx, next); err != nil {
			return domain.Movement{}, err
		}
	}
	l.attempts.WithLabelValues(string(kind)).Observe(float64(maxAppendAttempts))
	return domain.Movement{}, fmt.Errorf("append to %s: still losing the race after %d attempts", code, maxAppendAttempts)
}

// Head implements inventory.Ledger: the newest entry, read forward from what this process last saw.
func (l *Ledger) Head(ctx context.Context, code string) (domain.Movement, error) {
	start, err := l.start(ctx, code)
	if err != nil {
		return domain.Movement{}, err
	}
	return l.walk(ctx, start)
}

// start is where a walk to the newest entry begins: the cached entry, or the stored hint's entry, or
// "no entries" (seq 0).
func (l *Ledger) start(ctx context.Context, code string) (domain.Movement, error) {
	if m, ok := l.cache.Get(code); ok {
		return m, nil
	}
	var hint struct {
		Seq int64 `bson:"seq"`
	}
	err := l.heads.FindOne(ctx, bson.D{{Key: "_id", Value: code}}).Decode(&hint)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return domain.Movement{}, fmt.Errorf("read head hint of %s: %w", code, err)
	}
	if hint.Seq > 0 {
		m, found, err := l.get(ctx, domain.MovementID(code, hint.Seq))
		if err != nil {
			return domain.Movement{}, err
		}
		if found {
			return m, nil
		}
	}
	return domain.Movement{ProductCode: code}, nil
}

// walk follows entries seq+1, seq+2, … from m and returns the newest; it caches what it finds.
func (l *Ledger) walk(ctx context.Context, m domain.Movement) (domain.Movement, error) {
	start := m.Seq
	for {
		next, found, err := l.get(ctx, domain.MovementID(m.ProductCode, m.Seq+1))
		if err != nil {
			return domain.Movement{}, err
		}
		if !found {
			break
		}
		m = next
	}
	if m.Seq > 0 {
		l.cache.Add(m.ProductCode, m)
	}
	if m.Seq-start >= hintEvery {
		l.saveHint(ctx, m.ProductCode, m.Seq)
	}
	return m, nil
}

// saveHint records a recent sequence number of a product. It may go stale or even backwards under
// concurrent writers (FerretDB updates read, then write); it only shortens walks, so a failure is
// ignored.
func (l *Ledger) saveHint(ctx context.Context, code string, seq int64) {
	_, _ = l.heads.UpdateOne(ctx, bson.D{{Key: "_id", Value: code}},
		bson.D{{Key: "$max", Value: bson.D{{Key: "seq", Value: seq}}}}, options.UpdateOne().SetUpsert(true))
}

// get reads one entry by id, the only query FerretDB answers without a scan.
func (l *Ledger) get(ctx context.Context, id string) (domain.Movement, bool, error) {
	var d movementDoc
	err := l.movements.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return domain.Movement{}, false, nil
	}
	if err != nil {
		return domain.Movement{}, false, fmt.Errorf("read ledger entry %s: %w", id, err)
	}
	return d.movement(), true, nil
}

// remember keeps an order movement under its idempotency key (see keys).
func (l *Ledger) remember(m domain.Movement) {
	if m.OrderID != "" {
		l.keys.Add(idemKey(m.ProductCode, m.OrderID, m.Kind, m.ID()), m)
	}
}

// byIdem finds the entry that holds an order movement's idempotency key, if any: from memory when
// this process appended or found it, else with a query (a scan on FerretDB).
func (l *Ledger) byIdem(ctx context.Context, code, orderID string, kind domain.MovementKind) (domain.Movement, bool, error) {
	keys := idemKeys(code, orderID, kind)
	for _, k := range keys {
		if m, ok := l.keys.Get(k); ok {
			return m, true, nil
		}
	}
	var d movementDoc
	err := l.movements.FindOne(ctx, bson.D{{Key: "idem", Value: bson.D{{Key: "$in", Value: keys}}}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return domain.Movement{}, false, nil
	}
	if err != nil {
		return domain.Movement{}, false, fmt.Errorf("read ledger entry by key %s: %w", keys[0], err)
	}
	m := d.movement()
	l.remember(m)
	return m, true, nil
}

// History implements inventory.Ledger, by _id reads from the newest entry down.
func (l *Ledger) History(ctx context.Context, code string, beforeSeq int64, limit int) ([]domain.Movement, error) {
	head, err := l.Head(ctx, code)
	if err != nil {
		return nil, err
	}
	from := head.Seq
	if beforeSeq > 0 && beforeSeq-1 < from {
		from = beforeSeq - 1
	}
	out := make([]domain.Movement, 0, limit)
	for seq := from; seq >= 1 && len(out) < limit; seq-- {
		m, found, err := l.get(ctx, domain.MovementID(code, seq))
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, fmt.Errorf("ledger of %s has a gap at %d", code, seq)
		}
		out = append(out, m)
	}
	return out, nil
}

// ByOrder implements inventory.Ledger. It scans on FerretDB (an index serves it on MongoDB); only
// recovery paths call it.
func (l *Ledger) ByOrder(ctx context.Context, orderID string) ([]domain.Movement, error) {
	cur, err := l.movements.Find(ctx, bson.D{{Key: "orderId", Value: orderID}})
	if err != nil {
		return nil, fmt.Errorf("ledger entries of order %s: %w", orderID, err)
	}
	var docs []movementDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("ledger entries of order %s: %w", orderID, err)
	}
	out := make([]domain.Movement, len(docs))
	for i, d := range docs {
		out[i] = d.movement()
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ProductCode != out[j].ProductCode {
			return out[i].ProductCode < out[j].ProductCode
		}
		return out[i].Seq < out[j].Seq
	})
	return out, nil
}

var _ inventory.Ledger = (*Ledger)(nil)
