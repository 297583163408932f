package main

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// procSpec is one process the suite supervises: the name it goes by (its log file, the report), the
// shop subcommand it runs and the address it listens on, given to it in addrVar.
type procSpec struct {
	Name, Command string
	AddrVar, Addr string
}

// URL is the process's base URL.
func (p procSpec) URL() string { return "http://" + p.Addr }

// The roles the suite runs. Inventory and orders are replicated by -replicas: every replica of a role
// serves HTTP on a port of its own and polls the role's one task queue, so Temporal spreads workflow
// and activity tasks over them. The payment sandbox stands for an outside provider: always one.
const (
	rolePayments  = "payments"
	roleInventory = "inventory"
	roleOrders    = "orders"
)

// roleAddrVar is the variable each role's listen address comes from (internal/config).
var roleAddrVar = map[string]string{rolePayments: "PAYMENTS_ADDR", roleInventory: "INVENTORY_ADDR", roleOrders: "ORDERS_ADDR"}

// replicaNames names n processes of a role: the role itself when there is one (as the suite always
// did), role-1 … role-n otherwise.
func replicaNames(role string, n int) []string {
	if n == 1 {
		return []string{role}
	}
	names := make([]string, n)
	for i := range n {
		names[i] = fmt.Sprintf("%s-%d", role, i+1)
	}
	return names
}

// portsNeeded is how many ports layout takes for replicas of inventory and orders.
func portsNeeded(replicas int) int { return 1 + 2*replicas }

// layout assigns the processes of a run their names and ports, in start order: the payment sandbox,
// the inventory replicas, then the order replicas (which call the other two). ports must hold
// portsNeeded(replicas) distinct ports.
func layout(replicas int, ports []int) ([]procSpec, error) {
	if replicas < 1 {
		return nil, fmt.Errorf("replicas must be at least 1, not %d", replicas)
	}
	if len(ports) != portsNeeded(replicas) {
		return nil, fmt.Errorf("%d replicas take %d ports, given %d", replicas, portsNeeded(replicas), len(ports))
	}
	specs := make([]procSpec, 0, len(ports))
	next := 0
	add := func(role string, n int) {
		for _, name := range replicaNames(role, n) {
			specs = append(specs, procSpec{Name: name, Command: role, AddrVar: roleAddrVar[role], Addr: fmt.Sprintf("127.0.0.1:%d", ports[next])})
			next++
		}
	}
	add(rolePayments, 1)
	add(roleInventory, replicas)
	add(roleOrders, replicas)
	return specs, nil
}

// ofRole returns the names of the processes of role, in start order.
func ofRole(specs []procSpec, role string) []string {
	var names []string
	for _, s := range specs {
		if s.Command == role {
			names = append(names, s.Name)
		}
	}
	return names
}

// urlsOf returns the base URLs of the named processes, in the same order.
func urlsOf(specs []procSpec, names []string) []string {
	byName := make(map[string]string, len(specs))
	for _, s := range specs {
		byName[s.Name] = s.URL()
	}
	urls := make([]string, len(names))
	for i, n := range names {
		urls[i] = byName[n]
	}
	return urls
}

// killTarget is one kill of the plan: the processes killed at once with SIGKILL, and how long they
// stay away before they are started again (0: the supervisor starts them again at once).
type killTarget struct {
	Names []string
	Away  time.Duration
}

// replicaAway is how long a lone killed replica stays away while the others of its role serve: long
// enough that the clients meet its closed port, many times, and go on to the other replicas.
const replicaAway = 8 * time.Second

// killTargets is which processes the plan's kills hit, one kill after another. A role with one
// process has it killed and started again at once, as the suite always did. A replicated role first
// loses one replica, chosen by rng, for replicaAway while the others keep serving; after the payment
// sandbox's kill each replicated role then loses every replica at once (started again at once), so
// that for a moment nothing of it is left.
func killTargets(inventory, orders, payments []string, rng *rand.Rand) []killTarget {
	var single, whole []killTarget
	for _, names := range [][]string{inventory, orders, payments} {
		switch len(names) {
		case 0:
		case 1:
			single = append(single, killTarget{Names: names})
		default:
			single = append(single, killTarget{Names: []string{names[rng.IntN(len(names))]}, Away: replicaAway})
			whole = append(whole, killTarget{Names: names})
		}
	}
	return append(single, whole...)
}
