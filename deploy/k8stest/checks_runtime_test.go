package k8stest

import (
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// checkResources: requests and limits of CPU and memory, the request within the limit, and a memory
// limit the service is known to stay under.
func checkResources(s *subject) []string {
	var problems []string
	for _, p := range s.pods {
		if p.c == nil {
			continue
		}
		res := p.c.Resources
		for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			req, hasReq := res.Requests[name]
			lim, hasLim := res.Limits[name]
			if !hasReq || !hasLim {
				problems = append(problems, fmt.Sprintf("%s: %s needs a request and a limit (request %v, limit %v)", p.name(), name, hasReq, hasLim))
				continue
			}
			if req.Cmp(lim) > 0 {
				problems = append(problems, fmt.Sprintf("%s: %s request %s is above its limit %s", p.name(), name, req.String(), lim.String()))
			}
		}
		if lim, ok := res.Limits[corev1.ResourceMemory]; ok && lim.Cmp(*resource.NewQuantity(minMemoryLimit, resource.DecimalSI)) < 0 {
			problems = append(problems, fmt.Sprintf("%s: memory limit %s is below the %d bytes a service may peak at (TestE2EHostileBodiesCostLittle)",
				p.name(), lim.String(), minMemoryLimit))
		}
	}
	return problems
}

// checkSecurity: the restricted Pod Security Standard, as the Dockerfile's user, with a read-only root
// filesystem and no Kubernetes API token.
func checkSecurity(s *subject) []string {
	var problems []string
	for _, p := range s.pods {
		if p.c == nil {
			continue
		}
		spec := p.d.Spec.Template.Spec
		psc := spec.SecurityContext
		if psc == nil {
			psc = &corev1.PodSecurityContext{}
		}
		csc := p.c.SecurityContext
		if csc == nil {
			csc = &corev1.SecurityContext{}
		}
		bad := func(format string, args ...any) {
			problems = append(problems, p.name()+": "+fmt.Sprintf(format, args...))
		}
		if !firstBool(csc.RunAsNonRoot, psc.RunAsNonRoot) {
			bad("runAsNonRoot is not true")
		}
		if uid := firstInt(csc.RunAsUser, psc.RunAsUser); uid == nil || *uid != s.facts.uid {
			bad("runAsUser %v; the Dockerfile's user is uid %d", deref(uid), s.facts.uid)
		}
		if csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation {
			bad("allowPrivilegeEscalation is not false")
		}
		if csc.Privileged != nil && *csc.Privileged {
			bad("privileged")
		}
		if csc.ReadOnlyRootFilesystem == nil || !*csc.ReadOnlyRootFilesystem {
			bad("readOnlyRootFilesystem is not true")
		}
		if csc.Capabilities == nil || !slices.Contains(csc.Capabilities.Drop, "ALL") || len(csc.Capabilities.Add) > 0 {
			bad("capabilities must drop ALL and add none")
		}
		seccomp := psc.SeccompProfile
		if csc.SeccompProfile != nil {
			seccomp = csc.SeccompProfile
		}
		if seccomp == nil || seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault {
			bad("no RuntimeDefault seccomp profile")
		}
		if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
			bad("automountServiceAccountToken is not false; the shop never calls the Kubernetes API")
		}
		if spec.HostNetwork || spec.HostPID || spec.HostIPC {
			bad("shares a host namespace")
		}
	}
	return problems
}

func firstBool(vs ...*bool) bool {
	for _, v := range vs {
		if v != nil {
			return *v
		}
	}
	return false
}

func firstInt(vs ...*int64) *int64 {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}

func deref(v *int64) any {
	if v == nil {
		return "unset"
	}
	return *v
}

// checkTermination: the grace period covers what the process does on SIGTERM (the preStop pause, then
// SHUTDOWN_TIMEOUT for in-flight requests, then a worker's stop), and a pod behind a Service pauses
// before it so the Service stops sending it requests first.
func checkTermination(s *subject) []string {
	var problems []string
	for _, p := range s.configured() {
		var pause time.Duration
		if l := p.c.Lifecycle; l != nil && l.PreStop != nil && l.PreStop.Sleep != nil {
			pause = time.Duration(l.PreStop.Sleep.Seconds) * time.Second
		}
		need := pause + p.cfg.ShutdownTimeout
		if p.role.worker {
			need += workerStopTimeout
		}
		grace := 30 * time.Second // Kubernetes' default
		if g := p.d.Spec.Template.Spec.TerminationGracePeriodSeconds; g != nil {
			grace = time.Duration(*g) * time.Second
		}
		if grace < need {
			problems = append(problems, fmt.Sprintf("%s: terminationGracePeriodSeconds %s < preStop %s + SHUTDOWN_TIMEOUT %s%s",
				p.name(), grace, pause, p.cfg.ShutdownTimeout, map[bool]string{true: " + the worker's stop " + workerStopTimeout.String()}[p.role.worker]))
		}
		if len(s.servicesSelecting(p)) > 0 && pause == 0 {
			problems = append(problems, fmt.Sprintf("%s: behind a Service but no preStop sleep: requests still routed to it would meet a closed port", p.name()))
		}
	}
	return problems
}
