package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	httpSwagger "github.com/swaggo/http-swagger/v2"
)

// DocsPath is where each service serves Swagger UI, as the original did.
const DocsPath = "/api/docs"

// MountDocs serves an OpenAPI 3 document at /api/docs/openapi.yaml and Swagger UI (swaggo's
// http-swagger, which embeds the swagger-ui distribution) reading it at /api/docs.
func MountDocs(r chi.Router, spec []byte) {
	r.Get(DocsPath+"/openapi.yaml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(spec)
	})
	r.Get(DocsPath, func(w http.ResponseWriter, req *http.Request) {
		http.Redirect(w, req, DocsPath+"/index.html", http.StatusMovedPermanently)
	})
	r.Get(DocsPath+"/*", httpSwagger.Handler(httpSwagger.URL(DocsPath+"/openapi.yaml")))
}
