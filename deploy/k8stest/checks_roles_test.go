package k8stest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// checkRoles: every pod runs a service of cmd/shop, and together they run all of it: the inventory's
// and the order service's API and worker, the payment sandbox and the projector.
func checkRoles(s *subject) []string {
	var problems []string
	runs := map[string]bool{}
	for _, p := range s.pods {
		if p.roleErr != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", p.name(), p.roleErr))
			continue
		}
		runs[p.role.command] = true
		if p.role.api {
			runs[p.role.command+" api"] = true
		}
		if p.role.worker {
			runs[p.role.command+" worker"] = true
		}
	}
	for _, want := range []string{"inventory api", "inventory worker", "orders api", "orders worker", "payments", "projector"} {
		if !runs[want] {
			problems = append(problems, fmt.Sprintf("no Deployment runs %s", want))
		}
	}
	return problems
}

// checkImage: every pod runs the same image, the one the Dockerfile builds, with a version tag.
func checkImage(s *subject) []string {
	want := s.image
	if want == "" {
		want = s.facts.composeImage
	}
	var problems []string
	for _, p := range s.pods {
		if p.c == nil {
			continue
		}
		if p.c.Image != want {
			problems = append(problems, fmt.Sprintf("%s: image %q, want %q", p.name(), p.c.Image, want))
		}
		i := strings.LastIndex(p.c.Image, ":")
		if i < 0 || strings.Contains(p.c.Image[i:], "/") || p.c.Image[i+1:] == "latest" {
			problems = append(problems, fmt.Sprintf("%s: image %q has no version tag", p.name(), p.c.Image))
		}
	}
	return problems
}

// checkPorts: the container port `http` is where the process listens (its *_ADDR variable), the
// Dockerfile exposes every port, and the scrape annotation names that port.
func checkPorts(s *subject) []string {
	var problems []string
	for _, p := range s.configured() {
		port, ok := p.httpPort()
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: no container port named http", p.name()))
			continue
		}
		listen, err := p.listenPort()
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", p.name(), err))
		} else if listen != port {
			problems = append(problems, fmt.Sprintf("%s: containerPort http is %d but shop %s listens on %d (%s)",
				p.name(), port, p.role.command, listen, p.role.addrVar()))
		}
		for _, cp := range p.c.Ports {
			if !s.facts.exposed[cp.ContainerPort] {
				problems = append(problems, fmt.Sprintf("%s: containerPort %d is not EXPOSEd by the Dockerfile", p.name(), cp.ContainerPort))
			}
			if cp.Protocol != "" && cp.Protocol != corev1.ProtocolTCP {
				problems = append(problems, fmt.Sprintf("%s: containerPort %d is %s, the shop speaks HTTP over TCP", p.name(), cp.ContainerPort, cp.Protocol))
			}
		}
		ann := p.d.Spec.Template.Annotations
		if ann["prometheus.io/scrape"] == "true" {
			if ann["prometheus.io/port"] != strconv.Itoa(int(port)) {
				problems = append(problems, fmt.Sprintf("%s: prometheus.io/port %q, but metrics are served on %d",
					p.name(), ann["prometheus.io/port"], port))
			}
			if path := ann["prometheus.io/path"]; opsStatus(path, true) != http.StatusOK {
				problems = append(problems, fmt.Sprintf("%s: prometheus.io/path %q is not served by api.MountOps", p.name(), path))
			}
		}
	}
	return problems
}
