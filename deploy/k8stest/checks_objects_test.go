package k8stest

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// selects says whether a label selector picks the pods of Deployment d. An empty selector selects
// nothing here: the checks want each object to name its pods.
func selects(sel *metav1.LabelSelector, d *appsv1.Deployment) bool {
	if sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && s.Matches(labels.Set(d.Spec.Template.Labels))
}

func (s *subject) servicesSelecting(p *pod) []*corev1.Service {
	var out []*corev1.Service
	for _, svc := range s.m.services {
		if len(svc.Spec.Selector) > 0 && labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(p.d.Spec.Template.Labels)) {
			out = append(out, svc)
		}
	}
	return out
}

// checkSelectors: each Deployment's selector picks its own pods and no other Deployment's (the API
// server refuses the first; two controllers fighting over pods is the second).
func checkSelectors(s *subject) []string {
	var problems []string
	for _, d := range s.m.deployments {
		if !selects(d.Spec.Selector, d) {
			problems = append(problems, fmt.Sprintf("Deployment %s: its selector does not match its pod template's labels", d.Name))
		}
		for _, other := range s.m.deployments {
			if other != d && selects(d.Spec.Selector, other) {
				problems = append(problems, fmt.Sprintf("Deployment %s: its selector also picks the pods of Deployment %s", d.Name, other.Name))
			}
		}
	}
	return problems
}

// checkDisruptionBudgets: exactly one PodDisruptionBudget selects each Deployment's pods (the eviction
// API refuses pods under two), each selects some, and each lets a drain proceed.
func checkDisruptionBudgets(s *subject) []string {
	var problems []string
	for _, d := range s.m.deployments {
		var names []string
		for _, pdb := range s.m.pdbs {
			if selects(pdb.Spec.Selector, d) {
				names = append(names, pdb.Name)
			}
		}
		if len(names) != 1 {
			problems = append(problems, fmt.Sprintf("Deployment %s: selected by %d PodDisruptionBudgets %v, want exactly one", d.Name, len(names), names))
		}
	}
	for _, pdb := range s.m.pdbs {
		var selected []*appsv1.Deployment
		for _, d := range s.m.deployments {
			if selects(pdb.Spec.Selector, d) {
				selected = append(selected, d)
			}
		}
		if len(selected) == 0 {
			problems = append(problems, fmt.Sprintf("PodDisruptionBudget %s selects no Deployment's pods", pdb.Name))
		}
		switch mu, ma := pdb.Spec.MaxUnavailable, pdb.Spec.MinAvailable; {
		case (mu == nil) == (ma == nil):
			problems = append(problems, fmt.Sprintf("PodDisruptionBudget %s: set one of maxUnavailable and minAvailable", pdb.Name))
		case mu != nil:
			if n, err := intstr.GetScaledValueFromIntOrPercent(mu, 100, true); err != nil || n < 1 {
				problems = append(problems, fmt.Sprintf("PodDisruptionBudget %s: maxUnavailable %s lets no pod go: a drain would hang", pdb.Name, mu.String()))
			}
		default:
			for _, d := range selected {
				replicas := int32(1)
				if d.Spec.Replicas != nil {
					replicas = *d.Spec.Replicas
				}
				if n, err := intstr.GetScaledValueFromIntOrPercent(ma, int(replicas), true); err != nil || n >= int(replicas) {
					problems = append(problems, fmt.Sprintf("PodDisruptionBudget %s: minAvailable %s of %d replicas of %s lets no pod go: a drain would hang",
						pdb.Name, ma.String(), replicas, d.Name))
				}
			}
		}
	}
	return problems
}

// checkServices: each Service sends to the API of exactly one Deployment, on a port the container
// listens on; each API has a Service named after its subcommand on the port it listens on (as in
// docker-compose.yml, so http://payments:3004 and the like work inside the cluster); workers and the
// projector, which serve no API, have none.
func checkServices(s *subject) []string {
	var problems []string
	for _, svc := range s.m.services {
		var selected []*pod
		for _, p := range s.running() {
			for _, other := range s.servicesSelecting(p) {
				if other == svc {
					selected = append(selected, p)
				}
			}
		}
		if len(selected) != 1 {
			problems = append(problems, fmt.Sprintf("Service %s selects the pods of %d Deployments, want one", svc.Name, len(selected)))
			continue
		}
		p := selected[0]
		if !p.role.api {
			problems = append(problems, fmt.Sprintf("Service %s selects %s, which serves no API (shop %s %v)", svc.Name, p.name(), p.role.command, p.c.Args[1:]))
		}
		for _, sp := range svc.Spec.Ports {
			matched := false
			for _, cp := range p.c.Ports {
				if portIs(sp.TargetPort, cp.Name, cp.ContainerPort) || (sp.TargetPort.IntVal == 0 && sp.TargetPort.StrVal == "" && sp.Port == cp.ContainerPort) {
					matched = true
				}
			}
			if !matched {
				problems = append(problems, fmt.Sprintf("Service %s: port %d targets %s, which %s does not declare", svc.Name, sp.Port, sp.TargetPort.String(), p.name()))
			}
		}
	}
	for _, p := range s.configured() {
		if !p.role.api {
			continue
		}
		port, _ := p.httpPort()
		ok := false
		for _, svc := range s.servicesSelecting(p) {
			for _, sp := range svc.Spec.Ports {
				if svc.Name == p.role.command && sp.Port == port && portIs(sp.TargetPort, "http", port) {
					ok = true
				}
			}
		}
		if !ok {
			problems = append(problems, fmt.Sprintf("%s serves the %s API but no Service named %s sends port %d to its http port", p.name(), p.role.command, p.role.command, port))
		}
	}
	return problems
}
