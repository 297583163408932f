package inventoryapi_test

import (
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/order-saga/shop/api/inventoryapi"
	"github.com/order-saga/shop/api/spectest"
	"github.com/order-saga/shop/internal/testenv"
)

func TestOpenAPISpecDocumentsEveryRoute(t *testing.T) {
	r := chi.NewRouter()
	inventoryapi.Mount(r, nil, nil, testenv.Logger())
	spectest.RequireSpecMatchesRoutes(t, inventoryapi.OpenAPISpec(), r, "/api/v1/")
}
