package orders

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/order-saga/shop/domain"
)

// Ports are what the order use cases run over.
type Ports struct {
	Sagas Sagas
	Store Store
	// Keys stores Idempotency-Keys.
	Keys IdempotencyStore
	// Search answers the operators' search; nil: StoreSearch over Store.
	Search Searcher
	Events Events
	// Progress overlays a running saga's live steps; nil: orders are answered as stored.
	Progress Progress
	// Metrics counts recorded transitions; nil: nothing is counted.
	Metrics Metrics
}

// Config tunes the use cases; zero fields take the defaults.
type Config struct {
	// DecisionWait bounds how long Place waits for the saga's decision (default 10 s).
	DecisionWait time.Duration
	// KeyLifetime is how long an Idempotency-Key stands for its order (DefaultIdempotencyKeyLifetime).
	KeyLifetime time.Duration
	Now         Clock
	// NewID makes order ids (default: 24 random hex digits; ids never derive from what a client sends).
	NewID func() string
}

// DefaultDecisionWait is Config.DecisionWait's default.
const DefaultDecisionWait = 10 * time.Second

// livePageBound bounds the live overlay of a whole page: with Temporal away, a page of running
// sagas costs this, not Progress's own bound per order; past it the rest come back as stored.
const livePageBound = 3 * time.Second

// Service carries out the order service's use cases.
type Service struct {
	p    Ports
	cfg  Config
	keys IdempotencyKeys
	// published holds the ids of events the broker confirmed lately (see Record).
	published *lru.Cache[string, struct{}]
}

// NewService wires the use cases to their ports.
func NewService(p Ports, cfg Config) *Service {
	if p.Search == nil {
		p.Search = StoreSearch{Store: p.Store}
	}
	if p.Progress == nil {
		p.Progress = asStored{}
	}
	if p.Metrics == nil {
		p.Metrics = uncounted{}
	}
	if cfg.DecisionWait <= 0 {
		cfg.DecisionWait = DefaultDecisionWait
	}
	if cfg.KeyLifetime <= 0 {
		cfg.KeyLifetime = DefaultIdempotencyKeyLifetime
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewID == nil {
		cfg.NewID = newOrderID
	}
	published, _ := lru.New[string, struct{}](recentlyPublished) // fails only for a size below 1
	return &Service{p: p, cfg: cfg, keys: IdempotencyKeys{Store: p.Keys, Lifetime: cfg.KeyLifetime, Now: cfg.Now}, published: published}
}

// Get returns an order: the stored one with its saga's live steps, or, for an order just placed
// whose saga has not stored its first transition yet, what the saga says.
func (s *Service) Get(ctx context.Context, orderID string) (Order, error) {
	o, err := s.p.Store.Get(ctx, orderID)
	if errors.Is(err, domain.ErrNotFound) {
		if o, err = s.p.Sagas.Status(ctx, orderID); err != nil {
			return Order{}, fmt.Errorf("get order %s: %w", orderID, err)
		}
		return o, nil
	}
	if err != nil {
		return Order{}, fmt.Errorf("get order %s: %w", orderID, err)
	}
	return s.p.Progress.Live(ctx, o), nil
}

// List returns a page of stored orders (filters Status, CustomerID; Text and ProductCode are
// Search's), with their sagas' live steps.
func (s *Service) List(ctx context.Context, q Query) ([]Order, error) {
	if q.Limit <= 0 || q.Limit > MaxPageSize {
		return nil, fmt.Errorf("list orders: limit %d out of 1..%d", q.Limit, MaxPageSize)
	}
	os, err := s.p.Store.List(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	return s.livePage(ctx, os), nil
}

// Search answers an operator's search, with the orders' live steps.
func (s *Service) Search(ctx context.Context, q Query) ([]Order, error) {
	os, err := s.p.Search.Search(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("search orders: %w", err)
	}
	return s.livePage(ctx, os), nil
}

// livePage overlays live steps on a page within livePageBound for the whole page.
func (s *Service) livePage(ctx context.Context, os []Order) []Order {
	ctx, cancel := context.WithTimeout(ctx, livePageBound)
	defer cancel()
	for i := range os {
		if ctx.Err() != nil {
			break
		}
		os[i] = s.p.Progress.Live(ctx, os[i])
	}
	return os
}

// asStored is the Progress of a service without one: orders as stored.
type asStored struct{}

func (asStored) Live(_ context.Context, o Order) Order { return o }

func newOrderID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}
