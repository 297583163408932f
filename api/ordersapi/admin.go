package ordersapi

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/order-saga/shop/api"
	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
)

// AdminPath is where the operator routes live.
const AdminPath = "/api/v1/admin/orders"

// MountAdmin adds the operator routes, guarded by a bearer token. An empty token refuses every call.
func MountAdmin(r chi.Router, svc *orders.Service, token string, log *slog.Logger) {
	h := handler{orders: svc, log: log}
	r.Route(AdminPath, func(r chi.Router) {
		r.Use(bearer(token))
		r.Get("/", h.adminList)
		r.With(knownOrderID).Get("/{id}", h.get)
		r.With(knownOrderID).Post("/{id}/retry", h.decide(orders.ActionRetry))
		r.With(knownOrderID).Post("/{id}/compensate", h.decide(orders.ActionCompensate))
		r.With(knownOrderID).Post("/{id}/cancel", h.cancel)
	})
}

// bearer guards the operator routes (api.Bearer).
func bearer(token string) func(http.Handler) http.Handler {
	return api.Bearer(token, "shop-admin", "The admin API needs Authorization: Bearer <ADMIN_TOKEN>.")
}

// adminList searches orders (q, status, customerId, productCode); with no filter at all it lists the
// parked ones (NEEDS_ATTENTION), which is what an operator opens the list for.
func (h handler) adminList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !q.Has("status") && q.Get("q") == "" && q.Get("customerId") == "" && q.Get("productCode") == "" {
		q.Set("status", string(domain.StatusNeedsAttention))
		r.URL.RawQuery = q.Encode()
	}
	h.answerList(w, r, h.orders.Search, true)
}

// maxOperatorLen bounds the X-Operator header: who decided, for the record.
const maxOperatorLen = 128

// decide sends an operator's decision; 409 when the order is not parked.
func (h handler) decide(action orders.Action) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		operator := r.Header.Get("X-Operator")
		switch {
		case operator == "":
			operator = "admin-api"
		case len(operator) > maxOperatorLen: // it is kept in the saga's history
			api.WriteError(w, r, h.log, &domain.ValidationError{Fields: []domain.FieldError{
				{Field: "X-Operator", Message: fmt.Sprintf("must be at most %d characters", maxOperatorLen)}}})
			return
		}
		rec, err := h.orders.Decide(r.Context(), chi.URLParam(r, "id"), orders.Decision{Action: action, Operator: operator})
		if err != nil {
			api.WriteError(w, r, h.log, err)
			return
		}
		api.WriteJSON(w, http.StatusOK, toJSON(rec))
	}
}
