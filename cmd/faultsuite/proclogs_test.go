package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLogCounts(t *testing.T) {
	tests := []struct {
		name                        string
		log                         string
		completed, failed, requests int
	}{
		{"empty", "", 0, 0, 0},
		{
			"counts by message, whatever the other fields",
			`{"time":"t","level":"INFO","msg":"activity completed","service":"inventory","activity":"ReserveStock","durationMs":3.2}
{"time":"t","level":"INFO","msg":"activity completed","service":"inventory","activity":"CommitStock"}
{"time":"t","level":"WARN","msg":"activity failed","service":"inventory","error":"x"}
{"time":"t","level":"INFO","msg":"http request","method":"POST","path":"/api/v1/orders","status":201}
{"time":"t","level":"INFO","msg":"dependencies connected"}
`, 2, 1, 1,
		},
		{
			"lines that are not JSON are skipped (a panic's trace)",
			"panic: boom\n\ngoroutine 1 [running]:\n" + `{"msg":"activity completed"}` + "\n" + `{"msg":"activity completed"` + "\n",
			1, 0, 0,
		},
		{"a message only mentioned elsewhere is not counted", `{"msg":"retrying","error":"activity completed"}` + "\n", 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			completed, failed, requests, err := logCounts(strings.NewReader(tt.log))
			require.NoError(t, err)
			require.Equal(t, []int{tt.completed, tt.failed, tt.requests}, []int{completed, failed, requests})
		})
	}
}

func TestProcessFiguresReadEachProcessLog(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "inventory-1.log"), []byte(`{"msg":"activity completed"}`+"\n"+`{"msg":"activity completed"}`+"\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "inventory-2.log"), []byte(`{"msg":"http request"}`+"\n"), 0o644))
	got := processFigures([]string{"inventory-1", "inventory-2", "orders-1"}, map[string]int{"inventory-1": 2, "inventory-2": 1}, dir)
	require.Len(t, got, 3)
	require.Equal(t, processFigure{Name: "inventory-1", Starts: 2, ActivitiesCompleted: 2}, got[0])
	require.Equal(t, processFigure{Name: "inventory-2", Starts: 1, Requests: 1}, got[1])
	require.Equal(t, "orders-1", got[2].Name)
	require.ErrorIs(t, got[2].Err, os.ErrNotExist, "a missing log is reported, not counted as idle")
}
