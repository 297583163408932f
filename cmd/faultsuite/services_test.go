package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeShop is a stand-in for bin/shop below the supervisor: a script that says what it was started
// as (its subcommand and listen addresses, into its log), then runs until killed, or exits at once
// when the file "exit-<subcommand>" exists in its directory.
func fakeShop(t *testing.T) (bin, dir string) {
	t.Helper()
	dir = t.TempDir()
	bin = filepath.Join(dir, "shop")
	script := "#!/bin/sh\necho \"started $1 inventory=$INVENTORY_ADDR orders=$ORDERS_ADDR payments=$PAYMENTS_ADDR\"\n" +
		"[ -e \"" + dir + "/exit-$1\" ] && exit 3\nexec sleep 600\n"
	require.NoError(t, os.WriteFile(bin, []byte(script), 0o755))
	return bin, dir
}

func TestSupervisorRestartsKilledAndCrashedProcesses(t *testing.T) {
	bin, dir := fakeShop(t)
	specs, err := layout(1, []int{11001, 11002, 11003})
	require.NoError(t, err)
	s := newServices(bin, []string{"PATH=" + os.Getenv("PATH")}, dir, specs)
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
	require.Equal(t, 3, s.startCount()["inventory"], "first start, after the kill, after the release")
}

func TestSupervisorRunsReplicasApart(t *testing.T) {
	bin, dir := fakeShop(t)
	specs, err := layout(2, []int{12001, 12002, 12003, 12004, 12005})
	require.NoError(t, err)
	s := newServices(bin, []string{"PATH=" + os.Getenv("PATH")}, dir, specs)
	t.Cleanup(func() { s.stopAll(5 * time.Second) })
	require.Equal(t, []string{"payments", "inventory-1", "inventory-2", "orders-1", "orders-2"}, s.names())
	require.Equal(t, []string{"inventory-1", "inventory-2"}, s.ofRole(roleInventory))
	for _, name := range s.names() {
		require.NoError(t, s.start(name))
	}
	require.Error(t, s.start("inventory-3"), "only the layout's processes")

	// Each replica runs its role's subcommand on its own address, logging to a file of its own.
	wantLog := map[string]string{
		"payments":    "started payments inventory= orders= payments=127.0.0.1:12001",
		"inventory-1": "started inventory inventory=127.0.0.1:12002 orders= payments=",
		"inventory-2": "started inventory inventory=127.0.0.1:12003 orders= payments=",
		"orders-1":    "started orders inventory= orders=127.0.0.1:12004 payments=",
		"orders-2":    "started orders inventory= orders=127.0.0.1:12005 payments=",
	}
	for name, want := range wantLog {
		require.Eventually(t, func() bool {
			b, err := os.ReadFile(filepath.Join(dir, name+".log"))
			return err == nil && string(b) == want+"\n"
		}, 10*time.Second, 20*time.Millisecond, name)
	}

	// A kill of one replica leaves the other alone.
	other := s.pid("inventory-2")
	killed := s.pid("inventory-1")
	require.NoError(t, s.kill("inventory-1"))
	require.Eventually(t, func() bool { p := s.pid("inventory-1"); return p != 0 && p != killed }, 10*time.Second, 20*time.Millisecond)
	require.Equal(t, other, s.pid("inventory-2"))
	require.Equal(t, map[string]int{"payments": 1, "inventory-1": 2, "inventory-2": 1, "orders-1": 1, "orders-2": 1}, s.startCount())
	require.Empty(t, s.crashCount())
}

func TestWithVarsReplacesInheritedValues(t *testing.T) {
	got := withVars([]string{"PATH=/bin", "MONGO_URI=mongodb://shared/", "STACK_STARTED_FILE=/tmp/x", "HOME=/root"},
		"MONGO_URI=mongodb://private/", "STACK_DATA_DIR=/d")
	require.Equal(t, []string{"PATH=/bin", "HOME=/root", "MONGO_URI=mongodb://private/", "STACK_DATA_DIR=/d"}, got)
}
