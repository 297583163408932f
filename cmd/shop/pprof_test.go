package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPprofServesOnlyWhenAskedAndStopsWithItsContext(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	require.Empty(t, servePprof(t.Context(), "", log), "PPROF_ADDR empty: no listener")

	ctx, cancel := context.WithCancel(t.Context())
	addr := servePprof(ctx, "127.0.0.1:0", log)
	require.NotEmpty(t, addr)
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/cmdline", "/debug/pprof/profile?seconds=1"} {
		resp, err := http.Get("http://" + addr + path)
		require.NoError(t, err, path)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
		require.NotEmpty(t, body, path)
	}
	cancel()
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/debug/pprof/")
		if err == nil {
			resp.Body.Close()
		}
		return err != nil
	}, 5*time.Second, 10*time.Millisecond, "the listener closes with the context")
}
