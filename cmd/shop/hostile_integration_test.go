//go:build integration

package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// hostileBodies are request bodies of about 1 MiB that once cost the order service far more than
// their size: a megabyte of empty items, of bad lines, of customer id, of payment token.
func hostileBodies() []string {
	fill := func(prefix, unit, suffix string) string {
		n := (1<<20 - 64 - len(prefix) - len(suffix)) / (len(unit) + 1)
		return prefix + strings.TrimSuffix(strings.Repeat(unit+",", n), ",") + suffix
	}
	return []string{
		fill(`{"items":[`, `{}`, `]}`),
		fill(`{"items":[`, `{"productCode":"a#b","quantity":0}`, `]}`),
		`{"productCode":"A","quantity":1,"customerId":"` + strings.Repeat("c", 1<<20-100) + `"}`,
		`{"productCode":"A","quantity":1,"paymentToken":"` + strings.Repeat("t", 1<<20-100) + `"}`,
	}
}

// procMemory reads a process's resident set now (VmRSS) and at its peak (VmHWM), in bytes.
func procMemory(t *testing.T, pid int) (rss, peak int64) {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, _ := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(value)
		if len(fields) != 2 || fields[1] != "kB" {
			continue
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		require.NoError(t, err)
		switch name {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			peak = kb << 10
		}
	}
	require.NoError(t, sc.Err())
	require.NotZero(t, rss, "no VmRSS in /proc/%d/status", pid)
	return rss, peak
}

// TestE2EHostileBodiesCostLittle sends 16 concurrent hostile bodies of 1 MiB to the order service: each
// is a 400 of a few hundred bytes, and the process's peak resident set stays under 150 MB. (One such
// body once took it from 44 MB to 253 MB.) SHOP_BIN=<older build> measures another build.
func TestE2EHostileBodiesCostLittle(t *testing.T) {
	s := startSystem(t)
	pid := s.procs["orders"].Process.Pid
	before, _ := procMemory(t, pid)

	bodies := hostileBodies()
	const clients = 16
	statuses := make([]int, clients)
	sizes := make([]int, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			resp, err := http.Post(s.urls["orders"]+"/api/v1/orders", "application/json", strings.NewReader(bodies[i%len(bodies)]))
			if err != nil {
				statuses[i] = -1
				return
			}
			defer resp.Body.Close()
			n, _ := io.Copy(io.Discard, resp.Body)
			statuses[i], sizes[i] = resp.StatusCode, int(n)
		})
	}
	wg.Wait()
	after, peak := procMemory(t, pid)
	t.Logf("order service RSS before %.1f MB, after %.1f MB, peak %.1f MB; answers %v bytes",
		float64(before)/1e6, float64(after)/1e6, float64(peak)/1e6, sizes)
	for i := range clients {
		require.Equal(t, http.StatusBadRequest, statuses[i], "request %d", i)
		require.Less(t, sizes[i], 4096, "request %d: a small answer", i)
	}
	require.Less(t, peak, int64(150e6), "peak resident set of the order service")
}
