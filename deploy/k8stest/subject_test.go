package k8stest

import (
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// target is a kustomization to check.
type target struct {
	dir string // under the repository root
	// image every shop container must run; empty: the one docker-compose.yml builds.
	image string
	// suppliedElsewhere are Secrets the kustomization refers to but leaves to an overlay.
	suppliedElsewhere map[string]bool
}

var targets = []target{
	// The base: deployable only with an overlay that supplies shop-secrets.
	{dir: "deploy/k8s/base", suppliedElsewhere: map[string]bool{"shop-secrets": true}},
	// What the README tells a user to copy: every reference resolved, every value known.
	{dir: "deploy/k8s/overlays/example", image: "registry.example.com/order-saga/shop:1.0.0"},
}

// subject is a rendered kustomization with the repository facts it must agree with.
type subject struct {
	target
	m     *manifests
	facts *repoFacts
	pods  []*pod
}

func newSubject(fsys filesys.FileSystem, t target) (*subject, error) {
	facts, err := readFacts(fsys)
	if err != nil {
		return nil, err
	}
	m, err := render(fsys, "/"+t.dir)
	if err != nil {
		return nil, err
	}
	s := &subject{target: t, m: m, facts: facts}
	for _, d := range m.deployments {
		s.pods = append(s.pods, newPod(d, m, t, facts.configVars))
	}
	return s, nil
}

// running are the pods whose role could be read; the roles check reports the others.
func (s *subject) running() []*pod {
	var out []*pod
	for _, p := range s.pods {
		if p.roleErr == nil {
			out = append(out, p)
		}
	}
	return out
}

// configured are the running pods whose configuration internal/config accepts; the environment check
// reports the others.
func (s *subject) configured() []*pod {
	var out []*pod
	for _, p := range s.running() {
		if p.cfgErr == nil {
			out = append(out, p)
		}
	}
	return out
}

// check looks at one concern of a rendered kustomization and says what is wrong, if anything.
type check struct {
	name string
	run  func(s *subject) []string
}

var checks = []check{
	{"roles", checkRoles},
	{"image", checkImage},
	{"ports", checkPorts},
	{"probes", checkProbes},
	{"resources", checkResources},
	{"security", checkSecurity},
	{"termination", checkTermination},
	{"selectors", checkSelectors},
	{"disruption budgets", checkDisruptionBudgets},
	{"services", checkServices},
	{"environment", checkEnvironment},
	{"servers", checkServers},
	{"readme variables", checkReadmeVariables},
}

func runChecks(s *subject) []string {
	var problems []string
	for _, c := range checks {
		for _, p := range c.run(s) {
			problems = append(problems, c.name+": "+p)
		}
	}
	return problems
}
