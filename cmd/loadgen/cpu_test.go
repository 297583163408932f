package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// statLine is a /proc/<pid>/stat line with utime and stime as given.
func statLine(comm string, utime, stime int) string {
	return "1234 (" + comm + ") S 1 1234 1234 0 -1 4194560 500 0 0 0 " +
		strconv.Itoa(utime) + " " + strconv.Itoa(stime) + " 0 0 20 0 12 0 100 1000000 200\n"
}

func TestParseStatCPU(t *testing.T) {
	tests := []struct {
		name    string
		stat    string
		want    int64
		wantErr bool
	}{
		{"plain", statLine("ferretdb", 150, 50), 200, false},
		{"a command name with spaces and parentheses", statLine("a (b) c", 7, 3), 10, false},
		{"no command name", "1234 S 1 2 3", 0, true},
		{"cut short", "1234 (x) S 1 2 3", 0, true},
		{"not a number", strings.Replace(statLine("x", 1, 2), " 1 2 0 0 20", " one 2 0 0 20", 1), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatCPU(tt.stat)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestProcessTableSumsEachKindsProcesses(t *testing.T) {
	proc := t.TempDir()
	write := func(pid int, argv []string, utime, stime int) {
		dir := filepath.Join(proc, strconv.Itoa(pid))
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "cmdline"), []byte(strings.Join(argv, "\x00")+"\x00"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "stat"), []byte(statLine(filepath.Base(argv[0]), utime, stime)), 0o644))
	}
	write(10, []string{"/work/main/bin/temporal", "server", "start-dev", "--port", "7233"}, 100, 100)
	write(11, []string{"/usr/lib/jvm/bin/java", "-Des.path=/x/elasticsearch-8/bin"}, 10, 0)
	write(12, []string{"/usr/lib/jvm/bin/java", "org.elasticsearch.bootstrap.Elasticsearch"}, 30, 10)
	write(13, []string{"bin/shop", "orders"}, 5, 5)
	write(14, []string{"/bin/sh", "-c", "bin/shop orders"}, 1, 0) // goreman's shell: not the service
	write(15, []string{"/usr/bin/vim"}, 99, 0)
	write(16, []string{"bin/shop", "inventory"}, 50, 0) // ends during the step
	pt := &processTable{proc: proc, self: 99, kinds: systemProcesses}

	before := pt.sample()
	write(10, []string{"/work/main/bin/temporal", "server", "start-dev", "--port", "7233"}, 300, 100)
	write(13, []string{"bin/shop", "orders"}, 25, 5)
	require.NoError(t, os.RemoveAll(filepath.Join(proc, "16")))
	write(17, []string{"bin/shop", "payments"}, 3, 0) // started during the step
	got := pt.since(before, 10)

	require.Equal(t, []processCPU{
		{Process: "temporal", Processes: 1, Seconds: 2, PerOrder: 0.2},
		{Process: "elasticsearch", Processes: 2, Seconds: 0, PerOrder: 0},
		{Process: "orders", Processes: 1, Seconds: 0.2, PerOrder: 0.02},
		{Process: "payments", Processes: 1, Seconds: 0.03, PerOrder: 0.003},
		{Process: "machine", Processes: 1, Seconds: 0, PerOrder: 0}, // no /proc/stat in this tree
	}, got)
}

func TestParseMachineBusy(t *testing.T) {
	tests := []struct {
		name    string
		stat    string
		want    int64
		wantErr bool
	}{
		{"all cores line first", "cpu  100 5 50 9000 40 3 2 1 0 0\ncpu0 50 2 25 4500 20 1 1 0 0 0\n", 161, false},
		{"no cpu line", "intr 1 2 3\n", 0, true},
		{"not a number", "cpu  x 5 50 9000 40 3 2 1 0 0\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseMachineBusy(tt.stat)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
