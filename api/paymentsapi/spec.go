package paymentsapi

import _ "embed"

// openAPISpec documents every route of this package; a test checks the two agree.
//
//go:embed openapi.yaml
var openAPISpec []byte

// OpenAPISpec returns the OpenAPI 3 document of the payment sandbox.
func OpenAPISpec() []byte { return openAPISpec }
