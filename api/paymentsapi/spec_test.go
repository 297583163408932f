package paymentsapi_test

import (
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/order-saga/shop/api/paymentsapi"
	"github.com/order-saga/shop/api/spectest"
	"github.com/order-saga/shop/internal/testenv"
	"github.com/order-saga/shop/payments"
)

func TestOpenAPISpecDocumentsEveryRoute(t *testing.T) {
	r := chi.NewRouter()
	var sandbox *payments.Sandbox // never called: only the routes are walked
	paymentsapi.Mount(r, sandbox, testenv.Logger())
	spectest.RequireSpecMatchesRoutes(t, paymentsapi.OpenAPISpec(), r, "/v1/")
}
