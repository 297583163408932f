package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFaultPlan(t *testing.T) {
	servers := []string{
		"restart RabbitMQ",
		"restart FerretDB",
		"restart the Temporal dev server (SQLite file kept)",
		"payment sandbox away 8s, then RabbitMQ away 50s (longest step timeout 30s)",
	}
	tests := []struct {
		name     string
		replicas int
		seed     uint64
		kills    []string
	}{
		{"one replica: the plan the suite always ran", 1, 1, []string{"kill -9 inventory", "kill -9 orders", "kill -9 payments"}},
		{"two replicas: one of each role, then each role whole", 2, 1,
			[]string{"kill -9 inventory-1, away 8s", "kill -9 orders-1, away 8s", "kill -9 payments", "kill -9 inventory-1 inventory-2", "kill -9 orders-1 orders-2"}},
		{"another seed hits other replicas", 2, 2,
			[]string{"kill -9 inventory-2, away 8s", "kill -9 orders-2, away 8s", "kill -9 payments", "kill -9 inventory-1 inventory-2", "kill -9 orders-1 orders-2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			specs, err := layout(tt.replicas, make([]int, portsNeeded(tt.replicas)))
			require.NoError(t, err)
			plan := faultPlan(&privateStack{}, newServices("shop", nil, t.TempDir(), specs), 50*time.Second, faultRand(tt.seed))
			names := make([]string, len(plan))
			for i, f := range plan {
				names[i] = f.name
			}
			require.Equal(t, append(tt.kills, servers...), names)
		})
	}
}
