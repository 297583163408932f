package inventoryapi_test

import (
	"log/slog"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/order-saga/shop/api/inventoryapi"
	"github.com/order-saga/shop/api/spectest"
)

func TestOpenAPISpecDocumentsEveryRoute(t *testing.T) {
	r := chi.NewRouter()
	inventoryapi.Mount(r, nil, nil, slog.New(slog.DiscardHandler))
	inventoryapi.MountStock(r, nil, "", slog.New(slog.DiscardHandler))
	spectest.RequireSpecMatchesRoutes(t, inventoryapi.OpenAPISpec(), r, "/api/v1/")
}
