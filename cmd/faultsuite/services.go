package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"
)

// services runs the shop's processes (bin/shop payments, inventory, orders; each role possibly as
// several replicas) as children, like a supervisor: a process that exits by itself is counted and
// started again; kill ends one with SIGKILL (and the supervisor starts it again). Processes go by
// their procSpec's name: logs/<name>.log, and the name in every report.
type services struct {
	bin    string
	env    []string // what every process gets; each adds its own listen address
	logDir string
	specs  map[string]procSpec // name -> process
	list   []procSpec          // in start order

	mu       sync.Mutex
	procs    map[string]*exec.Cmd
	killed   map[string]bool // a SIGKILL of ours is on its way: not a crash
	held     map[string]bool // killed and kept away until release
	crashes  map[string]int  // exits nobody asked for
	starts   map[string]int  // processes started, the first included
	stopping bool
	wg       sync.WaitGroup
}

func newServices(bin string, env []string, logDir string, specs []procSpec) *services {
	byName := make(map[string]procSpec, len(specs))
	for _, s := range specs {
		byName[s.Name] = s
	}
	return &services{bin: bin, env: env, logDir: logDir, specs: byName, list: slices.Clone(specs),
		procs: map[string]*exec.Cmd{}, killed: map[string]bool{}, held: map[string]bool{}, crashes: map[string]int{}, starts: map[string]int{}}
}

// start runs the process called name (`shop <command>` listening on its address) and supervises it
// until stopAll.
func (s *services) start(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.startLocked(name)
}

func (s *services) startLocked(name string) error {
	if s.stopping {
		return errors.New("stopping")
	}
	spec, ok := s.specs[name]
	if !ok {
		return fmt.Errorf("no process called %s", name)
	}
	log, err := os.OpenFile(filepath.Join(s.logDir, name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("log of %s: %w", name, err)
	}
	cmd := exec.Command(s.bin, spec.Command)
	cmd.Env = append(slices.Clip(s.env), spec.AddrVar+"="+spec.Addr)
	cmd.Stdout, cmd.Stderr = log, log
	// A process group of its own (a Ctrl-C at the terminal reaches the suite, which decides), and
	// SIGKILL from the kernel should the suite itself die: no child outlives it on any exit path.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return fmt.Errorf("start %s: %w", name, err)
	}
	s.procs[name] = cmd
	s.starts[name]++
	s.wg.Add(1)
	go s.supervise(name, cmd, log)
	return nil
}

// supervise waits for the process to end; unless the suite is stopping, it starts it again.
func (s *services) supervise(name string, cmd *exec.Cmd, log *os.File) {
	defer s.wg.Done()
	_ = cmd.Wait()
	_ = log.Close()
	s.mu.Lock()
	if s.procs[name] != cmd {
		s.mu.Unlock()
		return
	}
	delete(s.procs, name)
	if s.stopping {
		s.mu.Unlock()
		return
	}
	crashed := !s.killed[name]
	s.killed[name] = false
	if crashed {
		s.crashes[name]++
	}
	s.mu.Unlock()
	if crashed {
		time.Sleep(time.Second) // as a supervisor would: not in a tight loop
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping || s.held[name] {
		return
	}
	if err := s.startLocked(name); err != nil {
		s.crashes[name]++
	}
}

// kill sends SIGKILL to the running process called name; the supervisor starts it again at once.
func (s *services) kill(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd, ok := s.procs[name]
	if !ok {
		return fmt.Errorf("%s is not running", name)
	}
	s.killed[name] = true
	if err := cmd.Process.Kill(); err != nil {
		return fmt.Errorf("kill -9 %s: %w", name, err)
	}
	return nil
}

// hold kills the process called name with SIGKILL and keeps it away until release.
func (s *services) hold(name string) error {
	s.mu.Lock()
	s.held[name] = true
	s.mu.Unlock()
	return s.kill(name)
}

// release starts a held process again.
func (s *services) release(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.held[name] = false
	if _, running := s.procs[name]; running {
		return nil
	}
	return s.startLocked(name)
}

// pid is the process id of the running process called name (0 if none).
func (s *services) pid(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cmd, ok := s.procs[name]; ok {
		return cmd.Process.Pid
	}
	return 0
}

// crashCount is how many times the processes exited without being killed by the suite.
func (s *services) crashCount() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.crashes)
}

// names are the processes' names in start order.
func (s *services) names() []string {
	names := make([]string, len(s.list))
	for i, p := range s.list {
		names[i] = p.Name
	}
	return names
}

// ofRole returns the names of role's processes in start order.
func (s *services) ofRole(role string) []string { return ofRole(s.list, role) }

// startCount is how many times each process was started, the first start included.
func (s *services) startCount() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.starts)
}

// stopAll ends every process (SIGTERM, then SIGKILL after grace) and waits for the supervisors.
func (s *services) stopAll(grace time.Duration) {
	s.mu.Lock()
	s.stopping = true
	procs := make([]*exec.Cmd, 0, len(s.procs))
	for _, cmd := range s.procs {
		procs = append(procs, cmd)
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		for _, cmd := range procs {
			_ = cmd.Process.Kill()
		}
		<-done
	}
}

// waitReady polls name's /readyz until it answers 200 or ctx ends.
func (s *services) waitReady(ctx context.Context, name string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.specs[name].URL()+"/readyz", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %w", name, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
