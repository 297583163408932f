package ordersapi_test

import (
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/order-saga/shop/api/ordersapi"
	"github.com/order-saga/shop/api/spectest"
	"github.com/order-saga/shop/internal/testenv"
)

func TestOpenAPISpecDocumentsEveryRoute(t *testing.T) {
	r := chi.NewRouter()
	ordersapi.Mount(r, nil, nil, ordersapi.Config{DecisionWait: time.Second, Now: time.Now}, testenv.Logger())
	ordersapi.MountAdmin(r, nil, nil, nil, nil, "token", testenv.Logger())
	spectest.RequireSpecMatchesRoutes(t, ordersapi.OpenAPISpec(), r, "/api/v1/")
}
