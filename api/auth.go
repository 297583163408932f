package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// Bearer admits requests carrying "Authorization: Bearer <token>" and answers any other 401 with the
// realm and the detail given (which should name the variable holding the token, never its value). The
// comparison takes the same time whatever the guess (hashes of equal length, compared in constant
// time), an empty token refuses every call, and the token is never logged: the request log has the
// path only. One copy for every guarded door (the order service's operator routes, the inventory's
// stock door).
func Bearer(token, realm, detail string) func(http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			given, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			got := sha256.Sum256([]byte(given))
			if !ok || token == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm+`"`)
				WriteProblem(w, NewProblem(http.StatusUnauthorized, "unauthorized", "Unauthorized", detail))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
