package ordersapi_test

import (
	"log/slog"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/order-saga/shop/api/ordersapi"
	"github.com/order-saga/shop/api/spectest"
)

func TestOpenAPISpecDocumentsEveryRoute(t *testing.T) {
	r := chi.NewRouter()
	ordersapi.Mount(r, nil, slog.New(slog.DiscardHandler))
	ordersapi.MountAdmin(r, nil, "token", slog.New(slog.DiscardHandler))
	spectest.RequireSpecMatchesRoutes(t, ordersapi.OpenAPISpec(), r, "/api/v1/")
}
