package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat: 100 on every Linux
// architecture Go runs on.
const clockTicks = 100

// parseStatCPU reads utime + stime (in clock ticks) from the text of /proc/<pid>/stat. The command
// name (field 2) is in parentheses and may hold spaces or parentheses itself, so the fields are
// counted from the last ')'.
func parseStatCPU(stat string) (int64, error) {
	end := strings.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("stat %q: no command name", stat)
	}
	f := strings.Fields(stat[end+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("stat %q: %d fields after the command name, want at least 13", stat, len(f))
	}
	utime, err := strconv.ParseInt(f[11], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stat utime: %w", err)
	}
	stime, err := strconv.ParseInt(f[12], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stat stime: %w", err)
	}
	return utime + stime, nil
}

// processKind names a process of the system by its command line (argv).
type processKind struct {
	name  string
	match func(argv []string) bool
}

func base(argv []string) string {
	if len(argv) == 0 {
		return ""
	}
	return filepath.Base(argv[0])
}

func hasArg(argv []string, s string) bool {
	for _, a := range argv[1:] {
		if strings.Contains(a, s) {
			return true
		}
	}
	return false
}

// service matches `bin/shop <name>`, as the Procfile starts each service under goreman.
func service(name string) processKind {
	return processKind{name: name, match: func(argv []string) bool {
		return base(argv) == "shop" && len(argv) > 1 && argv[1] == name
	}}
}

// systemProcesses are the processes whose CPU time a step reports.
var systemProcesses = []processKind{
	{"temporal", func(a []string) bool { return base(a) == "temporal" && hasArg(a, "start-dev") }},
	{"ferretdb", func(a []string) bool { return base(a) == "ferretdb" }},
	{"rabbitmq", func(a []string) bool { return base(a) == "beam.smp" }},
	{"elasticsearch", func(a []string) bool { return base(a) == "java" && hasArg(a, "elasticsearch") }},
	service("inventory"), service("orders"), service("payments"), service("projector"),
	{"loadgen", func(a []string) bool { return false }}, // this process: matched by pid
}

// processTable finds the system's processes under a /proc tree and samples their CPU time.
type processTable struct {
	proc  string // /proc
	self  int
	kinds []processKind
}

// cpuSample is each matched process's kind and CPU ticks, by pid: a step's CPU time is counted per
// process, so one that starts or ends meanwhile (another checkout's services, a test) does not turn
// a kind's total negative.
type cpuSample map[int]procTicks

// machinePid keys the whole machine's busy ticks in a sample.
const machinePid = -1

type procTicks struct {
	kind  string
	ticks int64
}

// processCPU is one kind's CPU time over a step.
type processCPU struct {
	Process   string  `json:"process"`
	Processes int     `json:"processes"` // how many processes matched (Elasticsearch has two; 1 for machine)
	Seconds   float64 `json:"cpuSeconds"`
	PerOrder  float64 `json:"cpuSecondsPerDecision"` // per confirmed order (system) or per workflow (ceiling)
}

// sample reads every process's command line and CPU time; a process that ends meanwhile is skipped.
func (t *processTable) sample() cpuSample {
	s := cpuSample{}
	if t == nil {
		return s
	}
	s[machinePid] = procTicks{kind: "machine", ticks: t.machineBusy()}
	entries, _ := os.ReadDir(t.proc)
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		kind := t.kindOf(pid)
		if kind == "" {
			continue
		}
		stat, err := os.ReadFile(filepath.Join(t.proc, e.Name(), "stat"))
		if err != nil {
			continue
		}
		ticks, err := parseStatCPU(string(stat))
		if err != nil {
			continue
		}
		s[pid] = procTicks{kind: kind, ticks: ticks}
	}
	return s
}

func (t *processTable) kindOf(pid int) string {
	if pid == t.self {
		return "loadgen"
	}
	raw, err := os.ReadFile(filepath.Join(t.proc, strconv.Itoa(pid), "cmdline"))
	if err != nil || len(raw) == 0 {
		return ""
	}
	argv := strings.Split(string(bytes.TrimRight(raw, "\x00")), "\x00")
	for _, k := range t.kinds {
		if k.match(argv) {
			return k.name
		}
	}
	return ""
}

// since is each kind's CPU time from before to now, and per decision.
func (t *processTable) since(before cpuSample, decided int) []processCPU {
	if t == nil {
		return nil
	}
	ticks, procs := map[string]int64{}, map[string]int{}
	for pid, p := range t.sample() {
		ticks[p.kind] += p.ticks - before[pid].ticks // a process new since before counts from 0
		procs[p.kind]++
	}
	var out []processCPU
	for _, k := range append(t.kinds, processKind{name: "machine"}) { // machine: every process, all cores
		n, ok := procs[k.name]
		if !ok {
			continue
		}
		c := processCPU{Process: k.name, Processes: n, Seconds: float64(ticks[k.name]) / clockTicks}
		if decided > 0 {
			c.PerOrder = c.Seconds / float64(decided)
		}
		out = append(out, c)
	}
	return out
}
