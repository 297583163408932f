package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeShop is a stand-in for bin/shop below the supervisor: a script that runs until killed, or
// exits at once when the file "exit-<name>" exists in its directory.
func fakeShop(t *testing.T) (bin, dir string) {
	t.Helper()
	dir = t.TempDir()
	bin = filepath.Join(dir, "shop")
	script := "#!/bin/sh\n[ -e \"" + dir + "/exit-$1\" ] && exit 3\nexec sleep 600\n"
	require.NoError(t, os.WriteFile(bin, []byte(script), 0o755))
	return bin, dir
}

func TestSupervisorRestartsKilledAndCrashedProcesses(t *testing.T) {
	bin, dir := fakeShop(t)
	s := newServices(bin, []string{"PATH=" + os.Getenv("PATH")}, dir, nil)
	t.Cleanup(func() { s.stopAll(5 * time.Second) })
	require.NoError(t, s.start("inventory"))
	first := s.pid("inventory")
	require.NotZero(t, first)

	// A kill of ours: started again, and not a crash.
	require.NoError(t, s.kill("inventory"))
	require.Eventually(t, func() bool { p := s.pid("inventory"); return p != 0 && p != first }, 10*time.Second, 20*time.Millisecond)
	require.Empty(t, s.crashCount())

	// Held: killed and kept away until released.
	require.NoError(t, s.hold("inventory"))
	require.Eventually(t, func() bool { return s.pid("inventory") == 0 }, 10*time.Second, 20*time.Millisecond)
	require.NoError(t, s.release("inventory"))
	require.Eventually(t, func() bool { return s.pid("inventory") != 0 }, 10*time.Second, 20*time.Millisecond)

	// An exit nobody asked for counts as a crash, and the supervisor starts it again.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "exit-orders"), nil, 0o644))
	require.NoError(t, s.start("orders"))
	require.Eventually(t, func() bool { return s.crashCount()["orders"] >= 2 }, 10*time.Second, 20*time.Millisecond)
	require.NoError(t, os.Remove(filepath.Join(dir, "exit-orders")))
	require.Eventually(t, func() bool { return s.pid("orders") != 0 }, 10*time.Second, 20*time.Millisecond)

	// stopAll ends them all, and nothing is started again afterwards.
	inventory, orders := s.pid("inventory"), s.pid("orders")
	s.stopAll(5 * time.Second)
	require.Zero(t, s.pid("inventory"))
	require.Zero(t, s.pid("orders"))
	for _, pid := range []int{inventory, orders} {
		_, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid)))
		require.True(t, os.IsNotExist(err), "process %d still runs", pid)
	}
	require.Error(t, s.start("payments"), "no start once stopping")
}

func TestWithVarsReplacesInheritedValues(t *testing.T) {
	got := withVars([]string{"PATH=/bin", "MONGO_URI=mongodb://shared/", "STACK_STARTED_FILE=/tmp/x", "HOME=/root"},
		"MONGO_URI=mongodb://private/", "STACK_DATA_DIR=/d")
	require.Equal(t, []string{"PATH=/bin", "HOME=/root", "MONGO_URI=mongodb://private/", "STACK_DATA_DIR=/d"}, got)
}
