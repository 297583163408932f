package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// parseMachineBusy reads the busy CPU ticks of all cores (user, nice, system, irq, softirq, steal)
// from the text of /proc/stat. Beside the system's processes it shows what else ran meanwhile: a
// test run on the same stack, a compile.
func parseMachineBusy(stat string) (int64, error) {
	for line := range strings.Lines(stat) {
		f := strings.Fields(line)
		if len(f) < 9 || f[0] != "cpu" {
			continue
		}
		var busy int64
		for _, i := range []int{1, 2, 3, 6, 7, 8} { // skip idle (4) and iowait (5)
			v, err := strconv.ParseInt(f[i], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/stat field %d: %w", i, err)
			}
			busy += v
		}
		return busy, nil
	}
	return 0, fmt.Errorf("/proc/stat: no cpu line")
}

// machineBusy is the whole machine's busy ticks, or 0 if /proc/stat cannot be read.
func (t *processTable) machineBusy() int64 {
	b, err := os.ReadFile(filepath.Join(t.proc, "stat"))
	if err != nil {
		return 0
	}
	busy, _ := parseMachineBusy(string(b))
	return busy
}
