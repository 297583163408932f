// Package activities holds the saga's Temporal activities. Each is a thin door onto a use case: it
// translates payloads and turns domain errors into Temporal errors (non-retryable where retrying
// cannot help). Every activity is idempotent under retry because the use case behind it is.
package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
)

// Names of the inventory activities, run on task queue "inventory" by the inventory service.
const (
	ReserveStockName = "ReserveStock"
	ReleaseStockName = "ReleaseStock"
	CommitStockName  = "CommitStock"
)

// Names of the saga's first attempt at reserve and commit: the same activities, registered on the
// order worker with the inventory service's HTTP API as their StockKeeper (RegisterViaAPI), and run as
// local activities. A first attempt that fails retryably falls back to ReserveStock or CommitStock
// on the inventory's task queue; both doors reach the same idempotent use cases.
const (
	ReserveStockViaAPIName = "ReserveStockViaAPI"
	CommitStockViaAPIName  = "CommitStockViaAPI"
)

// Error types of non-retryable activity failures; the saga decides on them.
const (
	ErrTypeUnknownProduct    = "UnknownProduct"
	ErrTypeInsufficientStock = "InsufficientStock"
	ErrTypeInvalidInput      = "InvalidInput"
	ErrTypeConflict          = "Conflict"
)

// StockLine asks for a quantity of one product.
type StockLine struct {
	ProductCode string `json:"productCode"`
	Quantity    int64  `json:"quantity"`
}

// ReserveStockInput is the payload of ReserveStock.
type ReserveStockInput struct {
	OrderID string      `json:"orderId"`
	Lines   []StockLine `json:"lines"`
}

// PricedLine is a reserved line with the unit price (exact, in minor units) it was reserved at.
type PricedLine struct {
	ProductCode    string `json:"productCode"`
	Quantity       int64  `json:"quantity"`
	UnitPriceMinor int64  `json:"unitPriceMinor"`
	Currency       string `json:"currency"`
}

// ReserveStockResult is what ReserveStock returns: the order's price source.
type ReserveStockResult struct {
	Lines []PricedLine `json:"lines"`
}

// StockKeeper is what the inventory activities need of the inventory service.
type StockKeeper interface {
	Reserve(ctx context.Context, orderID string, lines []inventory.LineRequest) (inventory.Reservation, error)
	Release(ctx context.Context, orderID string) (inventory.Reservation, error)
	Commit(ctx context.Context, orderID string) (inventory.Reservation, error)
}

// Inventory holds the inventory activities.
type Inventory struct {
	Stock StockKeeper
}

// Registry is the part of a worker (or of the SDK's test environment) that takes activities.
type Registry interface {
	RegisterActivityWithOptions(a any, options activity.RegisterOptions)
}

// Register adds the inventory activities to a worker under their names.
func (a *Inventory) Register(r Registry) {
	r.RegisterActivityWithOptions(a.ReserveStock, activity.RegisterOptions{Name: ReserveStockName})
	r.RegisterActivityWithOptions(a.ReleaseStock, activity.RegisterOptions{Name: ReleaseStockName})
	r.RegisterActivityWithOptions(a.CommitStock, activity.RegisterOptions{Name: CommitStockName})
}

// RegisterViaAPI adds the saga's first attempts at reserve and commit to the order worker; a's Stock
// is then the inventory service's HTTP API (internal/inventoryclient), not the use cases themselves.
//
// They are registered through methods of their own names, never as a.ReserveStock under another
// name: the SDK's registry maps a registered function's own name ("ReserveStock") to the name it was
// registered under, and would then schedule the saga's fallback, ExecuteActivity("ReserveStock"), as
// "ReserveStockViaAPI" on the inventory's queue, where no worker has it.
func (a *Inventory) RegisterViaAPI(r Registry) {
	v := viaAPI{a}
	r.RegisterActivityWithOptions(v.ReserveStockViaAPI, activity.RegisterOptions{Name: ReserveStockViaAPIName})
	r.RegisterActivityWithOptions(v.CommitStockViaAPI, activity.RegisterOptions{Name: CommitStockViaAPIName})
}

// viaAPI names the inventory activities for the order worker (see RegisterViaAPI).
type viaAPI struct{ a *Inventory }

func (v viaAPI) ReserveStockViaAPI(ctx context.Context, in ReserveStockInput) (ReserveStockResult, error) {
	return v.a.ReserveStock(ctx, in)
}

func (v viaAPI) CommitStockViaAPI(ctx context.Context, orderID string) error {
	return v.a.CommitStock(ctx, orderID)
}

// ReserveStock reserves every line of an order or none.
func (a *Inventory) ReserveStock(ctx context.Context, in ReserveStockInput) (ReserveStockResult, error) {
	lines := make([]inventory.LineRequest, len(in.Lines))
	for i, l := range in.Lines {
		lines[i] = inventory.LineRequest{ProductCode: l.ProductCode, Quantity: l.Quantity}
	}
	res, err := a.Stock.Reserve(ctx, in.OrderID, lines)
	if err != nil {
		return ReserveStockResult{}, stockError(err)
	}
	out := ReserveStockResult{Lines: make([]PricedLine, len(res.Lines))}
	for i, l := range res.Lines {
		out.Lines[i] = PricedLine{ProductCode: l.ProductCode, Quantity: l.Quantity, UnitPriceMinor: l.UnitPrice.Minor, Currency: l.UnitPrice.Currency}
	}
	return out, nil
}

// ReleaseStock gives back an order's stock (the compensation of ReserveStock and CommitStock).
func (a *Inventory) ReleaseStock(ctx context.Context, orderID string) error {
	_, err := a.Stock.Release(ctx, orderID)
	return stockError(err)
}

// CommitStock turns an order's reservations into shipped goods.
func (a *Inventory) CommitStock(ctx context.Context, orderID string) error {
	_, err := a.Stock.Commit(ctx, orderID)
	return stockError(err)
}

// stockError makes the failures that no retry can fix non-retryable, with their type;
// anything else (a store or broker outage) stays retryable.
func stockError(err error) error {
	if err == nil {
		return nil
	}
	var (
		unknown *domain.UnknownProductError
		short   *domain.InsufficientStockError
		invalid *domain.ValidationError
	)
	switch {
	case errors.As(err, &unknown):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeUnknownProduct, err)
	case errors.As(err, &short):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInsufficientStock, err)
	case errors.As(err, &invalid):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInvalidInput, err)
	case errors.Is(err, domain.ErrConflict):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeConflict, err)
	}
	return err
}
