package api

import (
	"net/http"
	"regexp"

	"github.com/go-chi/chi/v5"
)

// OrderIDPattern is every order id the order service hands out (hex today) with room to change their
// form; the OpenAPI documents say the same. Anything else names no order, and must never reach a store
// or Temporal: a control character or invalid UTF-8 in a workflow id fails there as a server error.
var OrderIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// KnownOrderID answers 404 for a path parameter named param that cannot be an order id, before the
// handler. It is the one place order ids from paths are checked, in every service that takes them.
func KnownOrderID(param string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !OrderIDPattern.MatchString(chi.URLParam(r, param)) {
				WriteProblem(w, NewProblem(http.StatusNotFound, "not-found", "Not found",
					"No order has this id: order ids are 1 to 64 letters, digits, '-' or '_'."))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
