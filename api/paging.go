package api

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/order-saga/shop/domain"
)

// Page sizes of every list endpoint.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// PageLimit reads the limit query parameter (default DefaultPageSize, 1..MaxPageSize). Given but
// empty (`limit=`) is refused like any other value that is not a number, as the OpenAPI specs say.
func PageLimit(v *domain.ValidationError, q url.Values) int {
	if !q.Has("limit") {
		return DefaultPageSize
	}
	n, err := strconv.Atoi(q.Get("limit"))
	if err != nil || n < 1 || n > MaxPageSize {
		v.Add("limit", "must be a whole number from 1 to %d", MaxPageSize)
		return DefaultPageSize
	}
	return n
}

// PageCursor reads the opaque cursor query parameter: the key the previous page ended with.
func PageCursor(v *domain.ValidationError, q url.Values) string {
	c := q.Get("cursor")
	if c == "" {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) == 0 {
		v.Add("cursor", "is not a cursor this API gave out")
		return ""
	}
	return string(b)
}

// Cursor encodes the key a page ended with.
func Cursor(lastKey string) string { return base64.RawURLEncoding.EncodeToString([]byte(lastKey)) }

// SetNextPage announces the next page, as the same request with one query parameter set: in a Link
// header (rel="next") and in X-Next-<Param>.
func SetNextPage(w http.ResponseWriter, r *http.Request, param, value string) {
	q := r.URL.Query()
	q.Set(param, value)
	w.Header().Set("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, r.URL.Path, q.Encode()))
	w.Header().Set("X-Next-"+strings.ToUpper(param[:1])+param[1:], value)
}
