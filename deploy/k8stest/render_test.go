// Package k8stest checks the Kubernetes manifests of deploy/k8s without a cluster: each kustomization
// is rendered with Kustomize's own library (krusty, what `kubectl kustomize` runs), every object is
// decoded strictly into k8s.io/api types (an unknown field or kind fails), and the result is checked
// against what the shop really does: the variables internal/config reads, the ops endpoints api serves,
// the ports, user and entrypoint of the Dockerfile, the README's configuration table. It is a Go module
// of its own, so that these dependencies stay out of the product's go.mod. Run it with `make k8s-check`.
package k8stest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// manifests are the objects one kustomization renders, by kind.
type manifests struct {
	deployments []*appsv1.Deployment
	services    []*corev1.Service
	pdbs        []*policyv1.PodDisruptionBudget
	configMaps  map[string]*corev1.ConfigMap
	secrets     map[string]*corev1.Secret
	namespaces  []*corev1.Namespace
}

// strictDecoder decodes the kinds the manifests may hold, refusing unknown and duplicate fields as the
// API server's strict field validation does (kubectl's default since 1.27).
var strictDecoder = func() runtime.Decoder {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{appsv1.AddToScheme, corev1.AddToScheme, policyv1.AddToScheme} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	return serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
}()

// render builds the kustomization in dir of fsys and decodes what it renders.
func render(fsys filesys.FileSystem, dir string) (*manifests, error) {
	rm, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	m := &manifests{configMaps: map[string]*corev1.ConfigMap{}, secrets: map[string]*corev1.Secret{}}
	for _, r := range rm.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", r.GetKind(), r.GetName(), err)
		}
		obj, _, err := strictDecoder.Decode(y, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("%s %s does not decode strictly: %w", r.GetKind(), r.GetName(), err)
		}
		switch o := obj.(type) {
		case *appsv1.Deployment:
			m.deployments = append(m.deployments, o)
		case *corev1.Service:
			m.services = append(m.services, o)
		case *policyv1.PodDisruptionBudget:
			m.pdbs = append(m.pdbs, o)
		case *corev1.ConfigMap:
			m.configMaps[o.Name] = o
		case *corev1.Secret:
			m.secrets[o.Name] = o
		case *corev1.Namespace:
			m.namespaces = append(m.namespaces, o)
		default:
			return nil, fmt.Errorf("%s %s: a kind these checks do not know; teach deploy/k8stest about it", r.GetKind(), r.GetName())
		}
	}
	return m, nil
}

// repoFiles are what the checks read of the repository: the manifests and the files they must agree
// with. They are copied into memory so that a test can break one copy without touching the tree.
var repoFiles = []string{"deploy/k8s", "Dockerfile", "README.md", "docker-compose.yml"}

// repoRoot is the shop's checkout, two levels up from this module.
func repoRoot() (string, error) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return "", err
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !strings.HasPrefix(string(mod), "module github.com/order-saga/shop\n") {
		return "", fmt.Errorf("the shop's go.mod is expected two levels up, at %s", root)
	}
	return root, nil
}

// loadRepo copies repoFiles into an in-memory file system, at the same paths under "/".
func loadRepo() (filesys.FileSystem, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	mem := filesys.MakeFsInMemory()
	for _, top := range repoFiles {
		err := filepath.WalkDir(filepath.Join(root, top), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return mem.WriteFile("/"+filepath.ToSlash(rel), b)
		})
		if err != nil {
			return nil, fmt.Errorf("copying %s: %w", top, err)
		}
	}
	return mem, nil
}
