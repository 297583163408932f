package k8stest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestManifests renders each kustomization and runs every check on it.
func TestManifests(t *testing.T) {
	fsys, err := loadRepo()
	require.NoError(t, err)
	for _, tg := range targets {
		t.Run(tg.dir, func(t *testing.T) {
			s, err := newSubject(fsys, tg)
			require.NoError(t, err)
			require.NotEmpty(t, s.pods, "no Deployment rendered")
			t.Logf("%d Deployments, %d Services, %d PodDisruptionBudgets, %d ConfigMaps, %d Secrets",
				len(s.m.deployments), len(s.m.services), len(s.m.pdbs), len(s.m.configMaps), len(s.m.secrets))
			for _, c := range checks {
				t.Run(c.name, func(t *testing.T) {
					problems := c.run(s)
					require.Empty(t, problems, "\n"+strings.Join(problems, "\n"))
				})
			}
		})
	}
}
