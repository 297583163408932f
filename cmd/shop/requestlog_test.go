package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// levelRecorder keeps the level of each "http request" record.
type levelRecorder struct {
	mu     sync.Mutex
	levels []slog.Level
}

func (r *levelRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *levelRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *levelRecorder) WithGroup(string) slog.Handler            { return r }
func (r *levelRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rec.Message == "http request" {
		r.levels = append(r.levels, rec.Level)
	}
	return nil
}

// Each request is logged once; probes and the saga's successful steps at Debug (each record is
// shipped to Elasticsearch and indexed there: a completed step is worth no more than a completed
// activity), anything a person may need to see at Info.
func TestRequestLoggerLevels(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		status       int
		want         slog.Level
	}{
		{"GET", "/readyz", http.StatusOK, slog.LevelDebug},
		{"GET", "/metrics", http.StatusOK, slog.LevelDebug},
		{"PUT", "/api/v1/reservations/o1", http.StatusOK, slog.LevelDebug},
		{"POST", "/api/v1/reservations/o1/commit", http.StatusOK, slog.LevelDebug},
		{"PUT", "/api/v1/reservations/o1", http.StatusConflict, slog.LevelInfo},
		{"POST", "/v1/payments/authorize", http.StatusCreated, slog.LevelDebug},
		{"POST", "/v1/payments/o1/capture", http.StatusOK, slog.LevelDebug},
		{"POST", "/v1/payments/authorize", http.StatusPaymentRequired, slog.LevelInfo},
		{"POST", "/v1/payments/o1/refund", http.StatusInternalServerError, slog.LevelInfo},
		{"POST", "/api/v1/orders", http.StatusCreated, slog.LevelInfo},
		{"GET", "/api/v1/reservations", http.StatusOK, slog.LevelInfo}, // not a step's route
		{"GET", "/v1/paymentsX", http.StatusOK, slog.LevelInfo},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			rec := &levelRecorder{}
			h := requestLogger(slog.New(rec))(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tc.status)
			}))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tc.method, tc.path, nil))
			require.Equal(t, []slog.Level{tc.want}, rec.levels)
		})
	}
}
