package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// privateStack is a Temporal dev server, FerretDB and RabbitMQ of the suite's own, on ports nobody
// else uses and with data under dir, started, restarted and stopped through scripts/stack.sh (so the
// dev server keeps the flags the shared stack runs with). The shared stack is never touched.
type privateStack struct {
	script string   // scripts/stack.sh
	dir    string   // STACK_DATA_DIR
	vars   []string // the addresses stack.sh and the services read, NAME=value
	log    *os.File // stack.sh's own output

	temporal, mongo, amqp string
}

// stackComponents are the parts of the stack the suite runs (no Elasticsearch: search is not on
// the order path).
var stackComponents = []string{"temporal", "mongo", "rabbitmq"}

func newPrivateStack(root, dir string) (*privateStack, error) {
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		return nil, fmt.Errorf("stack data dir: %w", err)
	}
	log, err := os.OpenFile(filepath.Join(dir, "logs", "stack.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("stack log: %w", err)
	}
	ports, err := freePorts(5)
	if err != nil {
		return nil, err
	}
	temporalPort, uiPort, mongoPort, managementPort, epmdPort := ports[0], ports[1], ports[2], ports[3], ports[4]
	// stack.sh gives the node its Erlang distribution port at AMQP port + 20000: both must be free.
	amqpPort, err := freePortWithPartner(20000, ports)
	if err != nil {
		return nil, err
	}
	s := &privateStack{
		script:   filepath.Join(root, "scripts", "stack.sh"),
		dir:      dir,
		log:      log,
		temporal: fmt.Sprintf("127.0.0.1:%d", temporalPort),
		mongo:    fmt.Sprintf("mongodb://127.0.0.1:%d/", mongoPort),
		amqp:     fmt.Sprintf("amqp://guest:guest@127.0.0.1:%d/", amqpPort),
	}
	s.vars = []string{
		"STACK_DATA_DIR=" + dir,
		"TEMPORAL_ADDRESS=" + s.temporal,
		"TEMPORAL_UI_PORT=" + strconv.Itoa(uiPort),
		"MONGO_URI=" + s.mongo,
		"RABBITMQ_URL=" + s.amqp,
		"RABBITMQ_MANAGEMENT_PORT=" + strconv.Itoa(managementPort),
		"RABBITMQ_NODENAME=faultsuite@localhost",
		"ERL_EPMD_PORT=" + strconv.Itoa(epmdPort),
	}
	return s, nil
}

// up starts the components (all of them when none is named) and waits for their health.
func (s *privateStack) up(ctx context.Context, components ...string) error {
	return s.run(ctx, "up", components...)
}

// down stops the components this stack started (all when none is named). It runs even when ctx has
// ended: stopping is what every exit path needs.
func (s *privateStack) down(components ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return s.run(ctx, "down", components...)
}

// restart stops and starts one component, keeping its data.
func (s *privateStack) restart(ctx context.Context, component string) error {
	if err := s.down(component); err != nil {
		return err
	}
	return s.up(ctx, component)
}

func (s *privateStack) run(ctx context.Context, verb string, components ...string) error {
	if len(components) == 0 {
		components = stackComponents
	}
	cmd := exec.CommandContext(ctx, "bash", append([]string{s.script, verb}, components...)...)
	cmd.Env = withVars(os.Environ(), s.vars...)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("stack.sh %s %s: %w (see %s)", verb, strings.Join(components, " "), err, s.log.Name())
	}
	return nil
}

// withVars returns env with each NAME=value of vars set (replacing an inherited one) and without
// STACK_STARTED_FILE, which belongs to a `make run` around us, not to this stack.
func withVars(env []string, vars ...string) []string {
	drop := map[string]bool{"STACK_STARTED_FILE": true}
	for _, v := range vars {
		name, _, _ := strings.Cut(v, "=")
		drop[name] = true
	}
	out := make([]string, 0, len(env)+len(vars))
	for _, v := range env {
		name, _, _ := strings.Cut(v, "=")
		if !drop[name] {
			out = append(out, v)
		}
	}
	return append(out, vars...)
}

// Ports of the private stack and the services come from below the kernel's ephemeral range. A
// server that the suite stops (for 50 s, the broker) leaves its port free while clients keep
// connecting to it; a port inside the ephemeral range can then be taken by one of those connections
// (a TCP self-connect, local port == remote port), and the server cannot listen again (seen in CI:
// RabbitMQ's restart failed with eaddrinuse).
const lowestPort = 10000

// ephemeralStart is the first port of the kernel's ephemeral range (32768 where it cannot be read).
func ephemeralStart() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	var lo, hi int
	if _, err := fmt.Sscan(string(b), &lo, &hi); err != nil || lo <= lowestPort+1000 {
		return 32768
	}
	return lo
}

// freePorts returns n distinct TCP ports on 127.0.0.1, below the ephemeral range, that were free a
// moment ago.
func freePorts(n int) ([]int, error) {
	top := ephemeralStart()
	seen := map[int]bool{}
	ports := make([]int, 0, n)
	for range 200 * n {
		if len(ports) == n {
			return ports, nil
		}
		p := lowestPort + rand.IntN(top-lowestPort)
		if !seen[p] && portFree(p) {
			seen[p] = true
			ports = append(ports, p)
		}
	}
	return nil, fmt.Errorf("found %d of %d free ports below %d", len(ports), n, top)
}

// freePortWithPartner returns a free port p such that p+offset is free too, both below the
// ephemeral range and neither one of taken.
func freePortWithPartner(offset int, taken []int) (int, error) {
	top := ephemeralStart() - offset
	if top <= lowestPort {
		return 0, fmt.Errorf("no room for a port pair %d apart below the ephemeral range", offset)
	}
	for range 200 {
		p := lowestPort + rand.IntN(top-lowestPort)
		if !slices.Contains(taken, p) && !slices.Contains(taken, p+offset) && portFree(p) && portFree(p+offset) {
			return p, nil
		}
	}
	return 0, errors.New("no free port pair found for RabbitMQ")
}

func portFree(p int) bool {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}
