package ordersapi_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/order-saga/shop/api/ordersapi"
	"github.com/order-saga/shop/api/spectest"
)

func TestOpenAPISpecDocumentsEveryRoute(t *testing.T) {
	r := chi.NewRouter()
	ordersapi.Mount(r, nil, nil, ordersapi.Config{DecisionWait: time.Second, Now: time.Now}, slog.New(slog.DiscardHandler))
	ordersapi.MountAdmin(r, nil, nil, nil, nil, "token", slog.New(slog.DiscardHandler))
	spectest.RequireSpecMatchesRoutes(t, ordersapi.OpenAPISpec(), r, "/api/v1/")
}
