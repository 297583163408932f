// Package ordersapi is the order service's HTTP API under /api/v1/orders and /api/v1/admin/orders. It
// reads requests (shape, types, required fields, size caps) into the order use cases' terms
// (package orders), and their answers into HTTP; the rules are the use cases'.
package ordersapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/order-saga/shop/api"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

// BasePath is where the order routes live.
const BasePath = "/api/v1/orders"

type handler struct {
	orders *orders.Service
	log    *slog.Logger
}

// Mount adds the order routes and the API docs to r.
func Mount(r chi.Router, svc *orders.Service, log *slog.Logger) {
	h := handler{orders: svc, log: log}
	r.Route(BasePath, func(r chi.Router) {
		r.Post("/", h.place)
		r.Get("/", h.list)
		r.With(knownOrderID).Get("/{id}", h.get)
		r.With(knownOrderID).Post("/{id}/cancel", h.cancel)
		r.With(knownOrderID).Post("/{id}/fulfill", h.fulfill)
	})
	api.MountDocs(r, openAPISpec)
}

func (h handler) get(w http.ResponseWriter, r *http.Request) {
	rec, err := h.orders.Get(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, toJSON(rec))
}

func (h handler) list(w http.ResponseWriter, r *http.Request) {
	h.answerList(w, r, h.orders.List, false)
}

// answerList reads the list filters (and, for operators, the search ones), runs find and answers a
// page of orders with the next page's cursor.
func (h handler) answerList(w http.ResponseWriter, r *http.Request,
	find func(context.Context, orders.Query) ([]orders.Order, error), search bool,
) {
	var v domain.ValidationError
	q := r.URL.Query()
	oq := orders.Query{Limit: api.PageLimit(&v, q), After: api.PageCursor(&v, q), CustomerID: q.Get("customerId")}
	if q.Has("status") { // present but empty is refused too, as the spec's enum says
		oq.Status = domain.OrderStatus(q.Get("status"))
		if !oq.Status.Valid() {
			v.Add("status", "must be one of PENDING, RESERVED, CONFIRMED, COMPLETED, REJECTED, FAILED, CANCELLED, NEEDS_ATTENTION, COMPENSATING")
		}
	}
	if search {
		oq.Text, oq.ProductCode = q.Get("q"), q.Get("productCode")
		if utf8.RuneCountInString(oq.Text) > 200 { // characters, as the spec's maxLength counts
			v.Add("q", "must be at most 200 characters")
		}
		if utf8.RuneCountInString(oq.ProductCode) > 64 {
			v.Add("productCode", "must be at most 64 characters")
		}
	}
	if utf8.RuneCountInString(oq.CustomerID) > 128 {
		v.Add("customerId", "must be at most 128 characters")
	}
	if err := v.Err(); err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	recs, err := find(r.Context(), oq)
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	out := make([]orderJSON, len(recs))
	for i, rec := range recs {
		out[i] = toJSON(rec)
	}
	if len(recs) == oq.Limit {
		api.SetNextPage(w, r, "cursor", api.Cursor(recs[len(recs)-1].OrderID))
	}
	api.WriteJSON(w, http.StatusOK, out)
}

type cancelRequest struct {
	Reason *string `json:"reason"`
}

func (h handler) cancel(w http.ResponseWriter, r *http.Request) {
	var req cancelRequest
	if r.ContentLength != 0 {
		if err := api.DecodeJSON(w, r, &req); err != nil {
			api.WriteError(w, r, h.log, err)
			return
		}
	}
	reason := ""
	if req.Reason != nil {
		reason = *req.Reason
	}
	if len(reason) > 500 {
		api.WriteError(w, r, h.log, &domain.ValidationError{Fields: []domain.FieldError{{Field: "reason", Message: "must be at most 500 characters"}}})
		return
	}
	rec, err := h.orders.Cancel(r.Context(), chi.URLParam(r, "id"), reason)
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, toJSON(rec))
}

func (h handler) fulfill(w http.ResponseWriter, r *http.Request) {
	rec, err := h.orders.Fulfill(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	api.WriteJSON(w, http.StatusOK, toJSON(rec))
}

// orderJSON is an order as the API shows it. productCode and quantity repeat a single-line order's
// line, as the original's single-item orders had them.
type orderJSON struct {
	ID          string             `json:"id"`
	CustomerID  string             `json:"customerId,omitempty"`
	Status      domain.OrderStatus `json:"status"`
	Reason      string             `json:"reason,omitempty"`
	ProductCode string             `json:"productCode,omitempty"`
	Quantity    int64              `json:"quantity,omitempty"`
	Items       []lineJSON         `json:"items"`
	TotalPrice  *json.Number       `json:"totalPrice,omitempty"`
	Currency    string             `json:"currency,omitempty"`
	Steps       []orders.Step      `json:"steps"`
	CreatedAt   time.Time          `json:"createdAt"`
	UpdatedAt   time.Time          `json:"updatedAt"`
}

type lineJSON struct {
	ProductCode string       `json:"productCode"`
	Quantity    int64        `json:"quantity"`
	UnitPrice   *json.Number `json:"unitPrice,omitempty"`
	LineTotal   *json.Number `json:"lineTotal,omitempty"`
}

func toJSON(rec orders.Order) orderJSON {
	o := orderJSON{
		ID: rec.OrderID, CustomerID: rec.CustomerID, Status: rec.Status, Reason: rec.Reason,
		Items: []lineJSON{}, Steps: rec.Steps, CreatedAt: rec.CreatedAt, UpdatedAt: rec.UpdatedAt,
	}
	if o.Steps == nil {
		o.Steps = []orders.Step{}
	}
	for _, l := range rec.Lines {
		lj := lineJSON{ProductCode: l.ProductCode, Quantity: l.Quantity}
		if l.Currency != "" {
			unit := domain.Money{Minor: l.UnitPriceMinor, Currency: l.Currency}
			lj.UnitPrice = number(unit)
			if total, err := unit.Times(l.Quantity); err == nil {
				lj.LineTotal = number(total)
			}
		}
		o.Items = append(o.Items, lj)
	}
	if len(rec.Lines) == 1 {
		o.ProductCode, o.Quantity = rec.Lines[0].ProductCode, rec.Lines[0].Quantity
	}
	if rec.Currency != "" {
		o.TotalPrice, o.Currency = number(domain.Money{Minor: rec.TotalMinor, Currency: rec.Currency}), rec.Currency
	}
	return o
}

func number(m domain.Money) *json.Number {
	n := json.Number(m.String())
	return &n
}
