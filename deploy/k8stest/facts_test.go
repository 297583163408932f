package k8stest

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/order-saga/shop/internal/config"
)

// Bounds the product sets in code, where the manifests must leave room for them.
const (
	// workerStopTimeout is how long a stopping Temporal worker lets running activities finish
	// (workers.stopTimeout; that package would bring the Temporal SDK into this module).
	workerStopTimeout = 10 * time.Second
	// minMemoryLimit is what TestE2EHostileBodiesCostLittle (cmd/shop) allows a service's peak RSS
	// under hostile request bodies: a smaller limit would kill it where that test passes.
	minMemoryLimit = 150_000_000
)

// repoFacts are what the manifests must agree with, read from the repository's files.
type repoFacts struct {
	exposed      map[int32]bool // EXPOSE of the Dockerfile's runtime stage
	uid          int64          // the runtime stage's USER, as a number
	entrypoint   []string       // the runtime stage's ENTRYPOINT (exec form)
	composeImage string         // the image docker-compose.yml builds for the shop's services
	readmeVars   []string       // the README's configuration table
	configVars   map[string]bool
}

func readFacts(fsys filesys.FileSystem) (*repoFacts, error) {
	f := &repoFacts{exposed: map[int32]bool{}, configVars: configVariables()}
	if err := f.readDockerfile(fsys); err != nil {
		return nil, fmt.Errorf("Dockerfile: %w", err)
	}
	if err := f.readCompose(fsys); err != nil {
		return nil, fmt.Errorf("docker-compose.yml: %w", err)
	}
	if err := f.readREADME(fsys); err != nil {
		return nil, fmt.Errorf("README.md: %w", err)
	}
	return f, nil
}

// configVariables are the names internal/config reads: the env tags of config.Config.
func configVariables() map[string]bool {
	vars := map[string]bool{}
	// Tracing is configured by the OpenTelemetry SDK's standard variables, which internal/telemetry
	// hands to the SDK rather than reading them into config.Config.
	for _, name := range telemetryVariables {
		vars[name] = true
	}
	t := reflect.TypeFor[config.Config]()
	for i := range t.NumField() {
		if name := t.Field(i).Tag.Get("env"); name != "" {
			vars[name] = true
		}
	}
	return vars
}

// telemetryVariables are the OTEL_* variables the README's configuration table documents (see
// internal/telemetry). Only the exporter's choice matters to a pod; the rest may stay unset.
var telemetryVariables = []string{
	"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_TRACES_EXPORTER",
	"OTEL_EXPORTER_ZIPKIN_ENDPOINT", "OTEL_SDK_DISABLED", "OTEL_BSP_SCHEDULE_DELAY",
}

// adduser finds the uid that the runtime stage gives its user (alpine's `adduser … -u <uid> <name>`).
var adduser = regexp.MustCompile(`adduser\s[^&;]*-u\s+(\d+)\s+(\S+)`)

func (f *repoFacts) readDockerfile(fsys filesys.FileSystem) error {
	b, err := fsys.ReadFile("/Dockerfile")
	if err != nil {
		return err
	}
	ast, err := parser.Parse(bytes.NewReader(b))
	if err != nil {
		return err
	}
	stages, _, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		return err
	}
	if len(stages) == 0 {
		return fmt.Errorf("no stage")
	}
	uids, user := map[string]int64{}, ""
	for _, c := range stages[len(stages)-1].Commands {
		switch c := c.(type) {
		case *instructions.ExposeCommand:
			for _, p := range c.Ports {
				n, err := strconv.ParseInt(strings.TrimSuffix(p, "/tcp"), 10, 32)
				if err != nil {
					return fmt.Errorf("EXPOSE %s: %w", p, err)
				}
				f.exposed[int32(n)] = true
			}
		case *instructions.RunCommand:
			for _, m := range adduser.FindAllStringSubmatch(strings.Join(c.CmdLine, " "), -1) {
				uid, _ := strconv.ParseInt(m[1], 10, 64)
				uids[m[2]] = uid
			}
		case *instructions.UserCommand:
			user = c.User
		case *instructions.EntrypointCommand:
			f.entrypoint = c.CmdLine
		}
	}
	uid, err := strconv.ParseInt(user, 10, 64)
	if err != nil {
		var ok bool
		if uid, ok = uids[user]; !ok {
			return fmt.Errorf("USER %q: neither a number nor a user that a RUN adduser -u creates", user)
		}
	}
	f.uid = uid
	return nil
}

func (f *repoFacts) readCompose(fsys filesys.FileSystem) error {
	b, err := fsys.ReadFile("/docker-compose.yml")
	if err != nil {
		return err
	}
	var compose struct {
		Services map[string]struct {
			Image string `json:"image"`
		} `json:"services"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		return err
	}
	f.composeImage = compose.Services["inventory"].Image
	if f.composeImage == "" {
		return fmt.Errorf("service inventory names no image")
	}
	return nil
}

// readmeVariable is a row of the configuration table: | `NAME` | default | meaning |.
var readmeVariable = regexp.MustCompile("(?m)^\\| `([A-Z][A-Z0-9_]*)` \\|")

func (f *repoFacts) readREADME(fsys filesys.FileSystem) error {
	b, err := fsys.ReadFile("/README.md")
	if err != nil {
		return err
	}
	s := string(b)
	start := strings.Index(s, "\n## Configuration\n")
	if start < 0 {
		return fmt.Errorf("no section ## Configuration")
	}
	s = s[start+1:]
	if end := strings.Index(s[3:], "\n## "); end >= 0 {
		s = s[:end+3]
	}
	for _, m := range readmeVariable.FindAllStringSubmatch(s, -1) {
		f.readmeVars = append(f.readmeVars, m[1])
	}
	if len(f.readmeVars) == 0 {
		return fmt.Errorf("the configuration table lists no variable")
	}
	return nil
}
