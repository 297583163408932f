package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLayout(t *testing.T) {
	tests := []struct {
		name     string
		replicas int
		ports    []int
		want     []procSpec
		wantErr  string
	}{
		{
			name: "one replica keeps the names the suite always used", replicas: 1, ports: []int{11001, 11002, 11003},
			want: []procSpec{
				{Name: "payments", Command: "payments", AddrVar: "PAYMENTS_ADDR", Addr: "127.0.0.1:11001"},
				{Name: "inventory", Command: "inventory", AddrVar: "INVENTORY_ADDR", Addr: "127.0.0.1:11002"},
				{Name: "orders", Command: "orders", AddrVar: "ORDERS_ADDR", Addr: "127.0.0.1:11003"},
			},
		},
		{
			name: "two replicas: numbered names, a port each, payments alone", replicas: 2, ports: []int{12001, 12002, 12003, 12004, 12005},
			want: []procSpec{
				{Name: "payments", Command: "payments", AddrVar: "PAYMENTS_ADDR", Addr: "127.0.0.1:12001"},
				{Name: "inventory-1", Command: "inventory", AddrVar: "INVENTORY_ADDR", Addr: "127.0.0.1:12002"},
				{Name: "inventory-2", Command: "inventory", AddrVar: "INVENTORY_ADDR", Addr: "127.0.0.1:12003"},
				{Name: "orders-1", Command: "orders", AddrVar: "ORDERS_ADDR", Addr: "127.0.0.1:12004"},
				{Name: "orders-2", Command: "orders", AddrVar: "ORDERS_ADDR", Addr: "127.0.0.1:12005"},
			},
		},
		{name: "no replicas", replicas: 0, ports: []int{1}, wantErr: "at least 1"},
		{name: "too few ports", replicas: 2, ports: []int{1, 2, 3}, wantErr: "take 5 ports, given 3"},
		{name: "too many ports", replicas: 1, ports: []int{1, 2, 3, 4}, wantErr: "take 3 ports, given 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := layout(tt.replicas, tt.ports)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.Len(t, tt.ports, portsNeeded(tt.replicas))
		})
	}
}

func TestRolesAndURLsOfALayout(t *testing.T) {
	specs, err := layout(3, []int{1, 2, 3, 4, 5, 6, 7})
	require.NoError(t, err)
	tests := []struct {
		role  string
		names []string
		urls  []string
	}{
		{rolePayments, []string{"payments"}, []string{"http://127.0.0.1:1"}},
		{roleInventory, []string{"inventory-1", "inventory-2", "inventory-3"}, []string{"http://127.0.0.1:2", "http://127.0.0.1:3", "http://127.0.0.1:4"}},
		{roleOrders, []string{"orders-1", "orders-2", "orders-3"}, []string{"http://127.0.0.1:5", "http://127.0.0.1:6", "http://127.0.0.1:7"}},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			require.Equal(t, tt.names, ofRole(specs, tt.role))
			require.Equal(t, tt.urls, urlsOf(specs, tt.names))
		})
	}
}

func TestKillTargets(t *testing.T) {
	tests := []struct {
		name                        string
		inventory, orders, payments []string
		seed                        uint64
		want                        []killTarget
	}{
		{
			"one replica: each process killed and started again at once, in the old order",
			[]string{"inventory"}, []string{"orders"}, []string{"payments"}, 1,
			[]killTarget{{Names: []string{"inventory"}}, {Names: []string{"orders"}}, {Names: []string{"payments"}}},
		},
		{
			"two replicas: one of each kept away, payments, then every replica of each role",
			replicaNames("inventory", 2), replicaNames("orders", 2), []string{"payments"}, 1,
			[]killTarget{
				{Names: []string{"inventory-1"}, Away: replicaAway}, {Names: []string{"orders-1"}, Away: replicaAway}, {Names: []string{"payments"}},
				{Names: []string{"inventory-1", "inventory-2"}}, {Names: []string{"orders-1", "orders-2"}},
			},
		},
		{
			"another seed, other replicas",
			replicaNames("inventory", 2), replicaNames("orders", 2), []string{"payments"}, 2,
			[]killTarget{
				{Names: []string{"inventory-2"}, Away: replicaAway}, {Names: []string{"orders-2"}, Away: replicaAway}, {Names: []string{"payments"}},
				{Names: []string{"inventory-1", "inventory-2"}}, {Names: []string{"orders-1", "orders-2"}},
			},
		},
		{
			"replicated inventory only",
			replicaNames("inventory", 3), []string{"orders"}, []string{"payments"}, 1,
			[]killTarget{
				{Names: []string{"inventory-3"}, Away: replicaAway}, {Names: []string{"orders"}}, {Names: []string{"payments"}},
				{Names: []string{"inventory-1", "inventory-2", "inventory-3"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := killTargets(tt.inventory, tt.orders, tt.payments, faultRand(tt.seed))
			require.Equal(t, tt.want, got)
			require.Equal(t, got, killTargets(tt.inventory, tt.orders, tt.payments, faultRand(tt.seed)), "the seed makes the same plan")
		})
	}
}

func TestKillTargetsHitEveryReplicaOverSeeds(t *testing.T) {
	hit := map[string]int{}
	inventory, orders := replicaNames("inventory", 2), replicaNames("orders", 2)
	for seed := range uint64(200) {
		got := killTargets(inventory, orders, []string{"payments"}, faultRand(seed))
		hit[got[0].Names[0]]++
		hit[got[1].Names[0]]++
	}
	for _, name := range append(inventory, orders...) {
		require.Greater(t, hit[name], 40, "%s is the replica a single kill hits in some runs: %v", name, hit)
	}
}

func TestEndpointsPickInTurn(t *testing.T) {
	tests := []struct {
		name string
		urls []string
		want []string
	}{
		{"one replica every time", []string{"a"}, []string{"a", "a", "a"}},
		{"two replicas alternate", []string{"a", "b"}, []string{"a", "b", "a", "b", "a"}},
		{"three replicas cycle", []string{"a", "b", "c"}, []string{"a", "b", "c", "a", "b", "c", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEndpoints(tt.urls)
			got := make([]string, len(tt.want))
			for i := range got {
				got[i] = e.pick()
			}
			require.Equal(t, tt.want, got)
		})
	}
}
