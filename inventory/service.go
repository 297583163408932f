package inventory

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/order-saga/shop/domain"
)

// Source names this service in event envelopes.
const Source = "inventory-service"

// Service carries out the inventory's use cases.
type Service struct {
	catalog      Catalog
	ledger       Ledger
	reservations Reservations
	events       Events
	outbox       Outbox // nil: an event the broker refuses is logged as lost
	now          Clock
	log          *slog.Logger
}

// NewService wires the use cases to their ports.
func NewService(c Catalog, l Ledger, r Reservations, e Events, now Clock, log *slog.Logger) *Service {
	// Stored times keep milliseconds (BSON dates); answering with more would differ from a re-read.
	ms := func() time.Time { return now().UTC().Truncate(time.Millisecond) }
	return &Service{catalog: c, ledger: l, reservations: r, events: e, now: ms, log: log}
}

// ProductView is a product with its current stock, as the API shows it.
type ProductView struct {
	domain.Product
	Stock domain.StockLevel
}

// NewProduct is what a client gives to create a product. An empty Code is generated.
type NewProduct struct {
	Code              string
	Name              string
	Description       string
	Price             domain.Money
	LowStockThreshold int64
	Quantity          int64
}

// CreateProduct adds a product and, when Quantity > 0, its first receipt.
func (s *Service) CreateProduct(ctx context.Context, np NewProduct) (ProductView, error) {
	generated := np.Code == ""
	if generated {
		np.Code = domain.NewProductCode()
	}
	now := s.now()
	p := domain.Product{
		Code: np.Code, Name: np.Name, Description: np.Description, Price: np.Price,
		LowStockThreshold: np.LowStockThreshold, CreatedAt: now, UpdatedAt: now,
	}
	var v domain.ValidationError
	domain.ValidateQuantity(&v, "quantity", np.Quantity)
	if err := errors.Join(p.Validate(), v.Err()); err != nil {
		return ProductView{}, mergeValidation(err)
	}
	err := s.catalog.Create(ctx, p)
	for attempt := 0; generated && errors.Is(err, domain.ErrConflict) && attempt < 5; attempt++ {
		p.Code = domain.NewProductCode() // one in a billion, but a generated code must never fail the request
		err = s.catalog.Create(ctx, p)
	}
	if err != nil {
		return ProductView{}, fmt.Errorf("create product %s: %w", p.Code, err)
	}
	s.publish(ctx, domain.Event{
		ID: "product-created/" + p.Code, Type: domain.EventProductCreated, OccurredAt: now,
		Source: Source, Subject: p.Code, Data: NewProductData(p),
	})
	view := ProductView{Product: p}
	if np.Quantity > 0 {
		m, err := s.ledger.Append(ctx, p.Code, "", domain.Receipt, func(head domain.Movement) (domain.Movement, error) {
			m, err := domain.Next(head, p.Code, domain.Receipt, np.Quantity, "", now)
			m.Note = "initial stock"
			return m, err
		})
		if err != nil {
			return ProductView{}, fmt.Errorf("create product %s: initial stock: %w", p.Code, err)
		}
		s.publishBestEffort(ctx, m, p.LowStockThreshold)
		view.Stock = m.Level
	}
	return view, nil
}

// GetProduct returns a product with its stock as the ledger's newest entry says.
func (s *Service) GetProduct(ctx context.Context, code string) (ProductView, error) {
	p, err := s.catalog.Get(ctx, code)
	if err != nil {
		return ProductView{}, fmt.Errorf("get product %s: %w", code, err)
	}
	head, err := s.ledger.Head(ctx, code)
	if err != nil {
		return ProductView{}, fmt.Errorf("get product %s: stock: %w", code, err)
	}
	return ProductView{Product: p, Stock: head.Level}, nil
}

// MaxPageSize bounds one page of a list.
const MaxPageSize = 100

// ListProducts returns a page of products with their stock.
func (s *Service) ListProducts(ctx context.Context, q ListQuery) ([]ProductView, error) {
	if q.Limit <= 0 || q.Limit > MaxPageSize {
		return nil, fmt.Errorf("list products: limit %d out of 1..%d", q.Limit, MaxPageSize)
	}
	products, err := s.catalog.List(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	views := make([]ProductView, len(products))
	for i, p := range products {
		head, err := s.ledger.Head(ctx, p.Code)
		if err != nil {
			return nil, fmt.Errorf("list products: stock of %s: %w", p.Code, err)
		}
		views[i] = ProductView{Product: p, Stock: head.Level}
	}
	return views, nil
}

// ProductPatch changes some descriptive fields of a product; nil means unchanged.
type ProductPatch struct {
	Name        *string
	Description *string
	// Price is a plain decimal in the product's currency (a product's currency does not change).
	Price             *string
	LowStockThreshold *int64
}

// UpdateProduct applies a patch.
func (s *Service) UpdateProduct(ctx context.Context, code string, patch ProductPatch) (ProductView, error) {
	p, err := s.catalog.Get(ctx, code)
	if err != nil {
		return ProductView{}, fmt.Errorf("update product %s: %w", code, err)
	}
	if patch.Name != nil {
		p.Name = *patch.Name
	}
	if patch.Description != nil {
		p.Description = *patch.Description
	}
	if patch.Price != nil {
		price, err := domain.ParseMoney(*patch.Price, p.Price.Currency)
		if err != nil {
			return ProductView{}, &domain.ValidationError{Fields: []domain.FieldError{{Field: "price", Message: err.Error()}}}
		}
		p.Price = price
	}
	if patch.LowStockThreshold != nil {
		p.LowStockThreshold = *patch.LowStockThreshold
	}
	if err := p.Validate(); err != nil {
		return ProductView{}, err
	}
	p.UpdatedAt = s.now()
	if err := s.catalog.Update(ctx, p); err != nil {
		return ProductView{}, fmt.Errorf("update product %s: %w", code, err)
	}
	s.publish(ctx, domain.Event{
		ID: fmt.Sprintf("product-updated/%s/%d", p.Code, p.UpdatedAt.UnixNano()), Type: domain.EventProductUpdated,
		OccurredAt: p.UpdatedAt, Source: Source, Subject: p.Code, Data: NewProductData(p),
	})
	return s.GetProduct(ctx, code)
}

// SetStock sets on-hand stock to a counted quantity with an adjustment entry; it refuses to go below
// what is reserved (*domain.BelowReservedError). Setting the figure it already has writes nothing.
func (s *Service) SetStock(ctx context.Context, code string, quantity int64) (ProductView, error) {
	var v domain.ValidationError
	domain.ValidateQuantity(&v, "quantity", quantity)
	if err := v.Err(); err != nil {
		return ProductView{}, err
	}
	p, err := s.catalog.Get(ctx, code)
	if err != nil {
		return ProductView{}, fmt.Errorf("set stock of %s: %w", code, err)
	}
	errUnchanged := errors.New("unchanged")
	m, err := s.ledger.Append(ctx, code, "", domain.Adjustment, func(head domain.Movement) (domain.Movement, error) {
		if head.Level.OnHand == quantity {
			return head, errUnchanged
		}
		m, err := domain.Next(head, code, domain.Adjustment, quantity-head.Level.OnHand, "", s.now())
		m.Note = fmt.Sprintf("stock set to %d", quantity)
		return m, err
	})
	if errors.Is(err, errUnchanged) {
		return ProductView{Product: p, Stock: m.Level}, nil
	}
	if err != nil {
		return ProductView{}, fmt.Errorf("set stock of %s: %w", code, err)
	}
	s.publishBestEffort(ctx, m, p.LowStockThreshold)
	return ProductView{Product: p, Stock: m.Level}, nil
}

// Movements returns a product's ledger, newest first.
func (s *Service) Movements(ctx context.Context, code string, beforeSeq int64, limit int) ([]domain.Movement, error) {
	if _, err := s.catalog.Get(ctx, code); err != nil {
		return nil, fmt.Errorf("movements of %s: %w", code, err)
	}
	if limit <= 0 || limit > MaxPageSize {
		return nil, fmt.Errorf("movements of %s: limit %d out of 1..%d", code, limit, MaxPageSize)
	}
	return s.ledger.History(ctx, code, beforeSeq, limit)
}

// mergeValidation joins several validation errors into one listing every field.
func mergeValidation(err error) error {
	var all domain.ValidationError
	var unwrap interface{ Unwrap() []error }
	if errors.As(err, &unwrap) {
		for _, e := range unwrap.Unwrap() {
			var ve *domain.ValidationError
			if errors.As(e, &ve) {
				all.Fields = append(all.Fields, ve.Fields...)
			}
		}
	}
	if len(all.Fields) == 0 {
		return err
	}
	return &all
}
