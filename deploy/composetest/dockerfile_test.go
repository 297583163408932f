package composetest

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mattn/go-shellwords"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

func stages(t *testing.T) []instructions.Stage {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ast, err := parser.Parse(f)
	if err != nil {
		t.Fatalf("Dockerfile does not parse: %v", err)
	}
	st, _, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		t.Fatalf("Dockerfile: %v", err)
	}
	if len(st) < 2 {
		t.Fatalf("Dockerfile has %d stage(s); want a build stage and a runtime stage", len(st))
	}
	return st
}

func commands[T instructions.Command](s instructions.Stage) []T {
	var out []T
	for _, c := range s.Commands {
		if c, ok := c.(T); ok {
			out = append(out, c)
		}
	}
	return out
}

var goDirective = regexp.MustCompile(`(?m)^go (\d+\.\d+)`)

// TestDockerfile checks the stages: a golang build stage of the go.mod's Go release, and a small
// runtime stage whose entrypoint is the shop binary copied from it.
func TestDockerfile(t *testing.T) {
	st := stages(t)
	build, final := st[0], st[len(st)-1]

	mod, err := os.ReadFile(filepath.Join(repoRoot(t), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := goDirective.FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go directive")
	}
	if want := "golang:" + string(m[1]); build.BaseName != want && !strings.HasPrefix(build.BaseName, want+".") &&
		!strings.HasPrefix(build.BaseName, want+"-") {
		t.Errorf("build stage FROM %s; want %s (go.mod says go %s)", build.BaseName, want, m[1])
	}
	if build.Name == "" {
		t.Error("the build stage has no name (FROM … AS build)")
	}

	output := buildOutput(t, build)

	if strings.HasPrefix(final.BaseName, "golang") {
		t.Errorf("runtime stage FROM %s: the runtime image should not carry the toolchain", final.BaseName)
	}
	// The compose health checks use wget (TestHealthChecks): alpine's busybox has it, distroless not.
	if !strings.HasPrefix(final.BaseName, "alpine:") {
		t.Errorf("runtime stage FROM %s; want alpine (its wget answers the compose health checks)", final.BaseName)
	}
	binary := ""
	for _, c := range commands[*instructions.CopyCommand](final) {
		if c.From == build.Name && len(c.SourcePaths) == 1 && c.SourcePaths[0] == output {
			binary = c.DestPath
		}
	}
	if binary == "" {
		t.Fatalf("runtime stage does not COPY --from=%s %s", build.Name, output)
	}
	eps := commands[*instructions.EntrypointCommand](final)
	if len(eps) == 0 {
		t.Fatal("runtime stage has no ENTRYPOINT")
	}
	ep := eps[len(eps)-1]
	if ep.PrependShell || len(ep.CmdLine) != 1 || ep.CmdLine[0] != binary {
		t.Errorf("ENTRYPOINT %q (shell form: %v); want [%q] in exec form, so the compose command is its argument",
			ep.CmdLine, ep.PrependShell, binary)
	}
	users := commands[*instructions.UserCommand](final)
	if len(users) == 0 || users[len(users)-1].User == "root" || users[len(users)-1].User == "0" {
		t.Error("runtime stage runs as root; want a USER")
	}
}

// buildOutput is the path the build stage's `go build -o` writes.
func buildOutput(t *testing.T, build instructions.Stage) string {
	t.Helper()
	for _, run := range commands[*instructions.RunCommand](build) {
		_, args := goCommand(t, run)
		if len(args) > 0 && args[0] == "build" {
			for i, a := range args {
				if a == "-o" && i+1 < len(args) {
					return args[i+1]
				}
			}
			t.Fatalf("build stage: %q has no -o", run.CmdLine)
		}
	}
	t.Fatal("build stage has no RUN … go build")
	return ""
}

// goCommand splits a RUN of the form `[VAR=value …] go <args>` into its environment and go's
// arguments. Anything else in the build stage is not something this test knows how to run: it fails,
// so that whoever adds such a step teaches the test (never silently skipping it).
func goCommand(t *testing.T, run *instructions.RunCommand) (env, args []string) {
	t.Helper()
	if !run.PrependShell || len(run.CmdLine) != 1 {
		t.Fatalf("build stage: RUN %q: only the shell form is supported here", run.CmdLine)
	}
	words, err := shellwords.Parse(run.CmdLine[0])
	if err != nil {
		t.Fatalf("build stage: RUN %q: %v", run.CmdLine[0], err)
	}
	for len(words) > 0 && strings.Contains(words[0], "=") {
		env, words = append(env, words[0]), words[1:]
	}
	if len(words) == 0 || words[0] != "go" {
		t.Fatalf("build stage: RUN %q is not a go command; teach deploy/composetest to check it", run.CmdLine[0])
	}
	return env, words[1:]
}

// TestDockerBuildStageCompiles runs the build stage's commands on the host, in a copy of the build
// context as `COPY . .` sees it (the files .dockerignore leaves), with the output redirected to a
// temporary directory. It catches a Dockerfile whose build no longer compiles, and a .dockerignore that
// leaves out something the build needs.
func TestDockerBuildStageCompiles(t *testing.T) {
	root := repoRoot(t)
	st := stages(t)
	build := st[0]
	ctxDir := copyContext(t, root)
	out := t.TempDir()

	var stageEnv []string
	for _, c := range commands[*instructions.EnvCommand](build) {
		for _, kv := range c.Env {
			stageEnv = append(stageEnv, kv.Key+"="+kv.Value)
		}
	}
	ran := 0
	for _, run := range commands[*instructions.RunCommand](build) {
		env, args := goCommand(t, run)
		for i, a := range args {
			if i > 0 && args[i-1] == "-o" {
				args[i] = filepath.Join(out, path.Base(a))
			}
		}
		cmd := exec.Command("go", args...)
		cmd.Dir = ctxDir
		cmd.Env = append(append(os.Environ(), stageEnv...), env...)
		var log bytes.Buffer
		cmd.Stdout, cmd.Stderr = &log, &log
		if err := cmd.Run(); err != nil {
			t.Fatalf("build stage: %s: %v\n%s", strings.TrimSpace(strings.Join(env, " ")+" go "+strings.Join(args, " ")), err, log.String())
		}
		t.Logf("ran: %s", strings.TrimSpace(strings.Join(env, " ")+" go "+strings.Join(args, " ")))
		ran++
	}
	if ran == 0 {
		t.Fatal("build stage runs nothing")
	}
	bin := filepath.Join(out, path.Base(buildOutput(t, build)))
	// The runtime image has no libc of its own to speak of: the binary must be static.
	cmd := exec.Command("go", "version", "-m", bin)
	info, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go version -m %s: %v\n%s", bin, err, info)
	}
	if !strings.Contains(string(info), "CGO_ENABLED=0") {
		t.Errorf("the binary was not built with CGO_ENABLED=0:\n%s", info)
	}
	usage, err := exec.Command(bin, "help").CombinedOutput()
	if err != nil || !strings.Contains(string(usage), "usage: shop") {
		t.Errorf("%s help: %v\n%s", bin, err, usage)
	}
}

// copyContext copies root to a temporary directory, leaving out what .dockerignore excludes.
func copyContext(t *testing.T, root string) string {
	t.Helper()
	f, err := os.Open(filepath.Join(root, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	patterns, err := ignorefile.ReadAll(f)
	f.Close()
	if err != nil {
		t.Fatalf(".dockerignore: %v", err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatalf(".dockerignore: %v", err)
	}
	dst := t.TempDir()
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		excluded, err := pm.MatchesOrParentMatches(rel)
		if err != nil {
			return err
		}
		if excluded {
			if d.IsDir() && !pm.Exclusions() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			return copyFile(p, target)
		default:
			return nil // symlinks and the like: not part of a Go build
		}
	})
	if err != nil {
		t.Fatalf("copying the build context: %v", err)
	}
	for _, need := range []string{"go.mod", "go.sum", "cmd/shop"} {
		if _, err := os.Stat(filepath.Join(dst, need)); err != nil {
			t.Fatalf(".dockerignore leaves out %s, which the build needs", need)
		}
	}
	return dst
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
