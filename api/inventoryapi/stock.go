package inventoryapi

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/order-saga/shop/api"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/inventory"
)

// ReservationsPath is where the stock routes live: the order service's own door for its first attempt
// at a saga's reserve and commit (and release), not a route for shop clients.
const ReservationsPath = "/api/v1/reservations"

// StockService is what the stock routes need of the inventory use cases: the reservation use cases the
// saga's inventory activities call, each idempotent by order id.
type StockService interface {
	Reserve(ctx context.Context, orderID string, lines []inventory.LineRequest) (inventory.Reservation, error)
	Commit(ctx context.Context, orderID string) (inventory.Reservation, error)
	Release(ctx context.Context, orderID string) (inventory.Reservation, error)
}

type stockHandler struct {
	svc StockService
	log *slog.Logger
}

// MountStock adds the reservation routes, guarded by a bearer token (STOCK_API_TOKEN). An empty token
// refuses every call, and the saga then reaches the inventory through its worker only.
func MountStock(r chi.Router, svc StockService, token string, log *slog.Logger) {
	h := stockHandler{svc: svc, log: log}
	r.Route(ReservationsPath, func(r chi.Router) {
		r.Use(api.Bearer(token, "shop-stock", "The stock API needs Authorization: Bearer <STOCK_API_TOKEN>."))
		// Inline (With), not Use: the order id is a path parameter only once the route is matched.
		known := r.With(api.KnownOrderID("orderId"))
		known.Put("/{orderId}", h.reserve)
		known.Post("/{orderId}/commit", h.settle(StockService.Commit))
		known.Post("/{orderId}/release", h.settle(StockService.Release))
	})
}

// reservationJSON is an order's reservation on the wire: what the client needs to rebuild an
// inventory.Reservation, unit prices exact in minor units.
type reservationJSON struct {
	OrderID   string             `json:"orderId"`
	State     string             `json:"state"`
	Lines     []reservedLineJSON `json:"lines"`
	Restocked bool               `json:"restocked"`
	UpdatedAt time.Time          `json:"updatedAt"`
}

type reservedLineJSON struct {
	ProductCode    string `json:"productCode"`
	Quantity       int64  `json:"quantity"`
	UnitPriceMinor int64  `json:"unitPriceMinor"`
	Currency       string `json:"currency"`
	Seq            int64  `json:"seq"`
}

func reservationToJSON(res inventory.Reservation) reservationJSON {
	out := reservationJSON{
		OrderID: res.OrderID, State: string(res.State), Lines: make([]reservedLineJSON, len(res.Lines)),
		Restocked: res.Restocked, UpdatedAt: res.UpdatedAt.UTC(),
	}
	for i, l := range res.Lines {
		out.Lines[i] = reservedLineJSON{ProductCode: l.ProductCode, Quantity: l.Quantity,
			UnitPriceMinor: l.UnitPrice.Minor, Currency: l.UnitPrice.Currency, Seq: l.Seq}
	}
	return out
}

type reserveRequest struct {
	Lines *api.Lines `json:"lines"`
}

// reserve reads the lines' shape; whether they make a valid order (domain.ValidateOrderLines) is the
// use case's to say, so both doors refuse alike.
func (h stockHandler) reserve(w http.ResponseWriter, r *http.Request) {
	var req reserveRequest
	if err := api.DecodeJSON(w, r, &req); err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	var v domain.ValidationError
	if req.Lines == nil {
		v.Add("lines", "is required")
	}
	var lines []inventory.LineRequest
	if req.Lines != nil {
		lines = make([]inventory.LineRequest, len(*req.Lines))
		for i, l := range *req.Lines {
			lines[i].ProductCode, lines[i].Quantity = api.ReadLine(&v, "lines["+strconv.Itoa(i)+"].", l.ProductCode, l.Quantity)
		}
	}
	if err := v.Err(); err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	res, err := h.svc.Reserve(r.Context(), chi.URLParam(r, "orderId"), lines)
	h.answer(w, r, res, err)
}

// settle answers a commit or a release, which take no body.
func (h stockHandler) settle(do func(s StockService, ctx context.Context, orderID string) (inventory.Reservation, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		res, err := do(h.svc, r.Context(), chi.URLParam(r, "orderId"))
		h.answer(w, r, res, err)
	}
}

func (h stockHandler) answer(w http.ResponseWriter, r *http.Request, res inventory.Reservation, err error) {
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	// One record of the order's step, at Debug as a completed activity's is: with the order id, so an
	// order's log records in Elasticsearch show the inventory's part, and with the request's trace.
	h.log.DebugContext(r.Context(), "stock step answered", "orderId", res.OrderID, "state", string(res.State),
		"route", chi.RouteContext(r.Context()).RoutePattern())
	api.WriteJSON(w, http.StatusOK, reservationToJSON(res))
}
