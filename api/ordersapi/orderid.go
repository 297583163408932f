package ordersapi

import (
	"net/http"
	"regexp"

	"github.com/go-chi/chi/v5"

	"github.com/order-saga/shop/api"
)

// orderIDPattern is every order id the service hands out (hex today) with room to change their form;
// the OpenAPI documents say the same. Anything else names no order, and must never reach the store or
// Temporal: a control character or invalid UTF-8 in a workflow id fails there as a server error.
var orderIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// knownOrderID answers 404 for an {id} path parameter that cannot be an order id, before the handler.
// It is the one place order ids from paths are checked.
func knownOrderID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !orderIDPattern.MatchString(chi.URLParam(r, "id")) {
			api.WriteProblem(w, api.NewProblem(http.StatusNotFound, "not-found", "Not found",
				"No order has this id: order ids are 1 to 64 letters, digits, '-' or '_'."))
			return
		}
		next.ServeHTTP(w, r)
	})
}
