// Package spectest checks that a service's OpenAPI document is valid and documents exactly the
// routes its router serves, so the spec cannot drift from the code unnoticed.
package spectest

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"
)

// RequireSpecMatchesRoutes validates spec and compares its operations with r's routes under prefix.
func RequireSpecMatchesRoutes(t *testing.T, spec []byte, r chi.Routes, prefix string) {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()), "the OpenAPI document is invalid")

	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	var served []string
	require.NoError(t, chi.Walk(r, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if strings.HasPrefix(route, prefix) {
			served = append(served, method+" "+strings.TrimSuffix(route, "/"))
		}
		return nil
	}))
	sort.Strings(documented)
	sort.Strings(served)
	require.Equal(t, served, documented, "every served route is documented, and nothing else")
}
