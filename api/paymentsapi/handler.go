// Package paymentsapi is the payment sandbox's HTTP API under /v1/payments.
package paymentsapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/order-saga/shop/api"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/payments"
)

// Sandbox is what the handlers need of the payment sandbox.
type Sandbox interface {
	Authorize(ctx context.Context, orderID, token string, amount domain.Money) (payments.Payment, error)
	Capture(ctx context.Context, orderID string) (payments.Payment, error)
	Void(ctx context.Context, orderID string) (payments.Payment, error)
	Refund(ctx context.Context, orderID string) (payments.Payment, error)
	Get(ctx context.Context, orderID string) (payments.Payment, error)
}

// PaymentJSON is a payment on the wire.
type PaymentJSON struct {
	ID        string      `json:"id"`
	OrderID   string      `json:"orderId"`
	Status    string      `json:"status"`
	Amount    json.Number `json:"amount"`
	Currency  string      `json:"currency"`
	CreatedAt time.Time   `json:"createdAt"`
	UpdatedAt time.Time   `json:"updatedAt"`
}

// AuthorizeRequest is the body of POST /v1/payments/authorize.
type AuthorizeRequest struct {
	OrderID  *string     `json:"orderId"`
	Token    *string     `json:"token"`
	Amount   *api.Number `json:"amount"`
	Currency *string     `json:"currency"`
}

type handler struct {
	sandbox Sandbox
	log     *slog.Logger
}

// PaymentsPath is where the provider's payment routes live: the saga's payment steps call them.
const PaymentsPath = "/v1/payments"

// Mount adds the sandbox's routes and its API docs (/api/docs) to r.
func Mount(r chi.Router, sb Sandbox, log *slog.Logger) {
	h := handler{sandbox: sb, log: log}
	r.Route(PaymentsPath, func(r chi.Router) {
		r.Post("/authorize", h.authorize)
		r.Get("/{orderId}", h.op(sb.Get))
		r.Post("/{orderId}/capture", h.op(sb.Capture))
		r.Post("/{orderId}/void", h.op(sb.Void))
		r.Post("/{orderId}/refund", h.op(sb.Refund))
	})
	api.MountDocs(r, openAPISpec)
}

func toJSON(p payments.Payment) PaymentJSON {
	return PaymentJSON{ID: p.ID, OrderID: p.OrderID, Status: string(p.Status), Amount: json.Number(p.Amount.String()),
		Currency: p.Amount.Currency, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

func (h handler) authorize(w http.ResponseWriter, r *http.Request) {
	var req AuthorizeRequest
	if err := api.DecodeJSON(w, r, &req); err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	var v domain.ValidationError
	for _, f := range []struct {
		name string
		val  *string
	}{{"orderId", req.OrderID}, {"token", req.Token}, {"currency", req.Currency}} {
		if f.val == nil {
			v.Add(f.name, "is required")
		}
	}
	var amount domain.Money
	if req.Amount == nil {
		v.Add("amount", "is required")
	} else if req.Currency != nil {
		var err error
		if amount, err = domain.ParseMoney(string(*req.Amount), *req.Currency); err != nil {
			v.Add("amount", "%s", err.Error())
		}
	}
	if err := v.Err(); err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	p, err := h.sandbox.Authorize(r.Context(), *req.OrderID, *req.Token, amount)
	if err != nil {
		api.WriteError(w, r, h.log, err)
		return
	}
	api.WriteJSON(w, http.StatusCreated, toJSON(p))
}

func (h handler) op(do func(context.Context, string) (payments.Payment, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := do(r.Context(), chi.URLParam(r, "orderId"))
		if err != nil {
			api.WriteError(w, r, h.log, err)
			return
		}
		api.WriteJSON(w, http.StatusOK, toJSON(p))
	}
}
