package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// longestStepTimeout is the longest StartToClose of any saga step attempt (workflows/policy.go: the
// inventory activities' 30 s; payments 15 s, the order service's local attempt 5 s). The broker outage
// must outlast it, so
// that a step's attempt times out after it may have written, and its retry meets its own write.
const longestStepTimeout = 30 * time.Second

// fault is one thing done to the running system.
type fault struct {
	name string
	do   func(ctx context.Context) error
}

// injection is a fault as it happened: when (since the load started), how long it took.
type injection struct {
	Name string
	At   time.Duration
	Took time.Duration
	Err  error
}

// faultPlan is the suite's faults, in order: service processes killed with SIGKILL (and started
// again by the supervisor; with replicas, one replica at a time and then every replica of a role at
// once, see killTargets), each server of the stack restarted with its data kept, and then the broker
// kept away for outage while orders are on their way to commit. rng chooses which replica a kill hits.
func faultPlan(st *privateStack, svcs *services, outage time.Duration, rng *rand.Rand) []fault {
	restart := func(component, what string) fault {
		return fault{name: "restart " + what, do: func(ctx context.Context) error { return st.restart(ctx, component) }}
	}
	var plan []fault
	for _, target := range killTargets(svcs.ofRole(roleInventory), svcs.ofRole(roleOrders), svcs.ofRole(rolePayments), rng) {
		plan = append(plan, killFault(svcs, target))
	}
	return append(plan,
		restart("rabbitmq", "RabbitMQ"),
		restart("mongo", "FerretDB"),
		restart("temporal", "the Temporal dev server (SQLite file kept)"),
		brokerOutage(st, svcs, outage),
	)
}

// faultRand is the source of the plan's choices: the run's seed makes them again.
func faultRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0xfa017)) }

// killFault kills the target's processes at once with SIGKILL, keeps them away for target.Away, and
// waits until each one runs again (a new process) and answers.
func killFault(svcs *services, target killTarget) fault {
	name := "kill -9 " + strings.Join(target.Names, " ")
	if target.Away > 0 {
		name += fmt.Sprintf(", away %s", target.Away)
	}
	return fault{name: name, do: func(ctx context.Context) error {
		old := make(map[string]int, len(target.Names))
		for _, name := range target.Names {
			old[name] = svcs.pid(name)
		}
		stop := svcs.kill
		if target.Away > 0 {
			stop = svcs.hold
		}
		var errs []error
		for _, name := range target.Names {
			errs = append(errs, stop(name))
		}
		if err := errors.Join(errs...); err != nil {
			return err
		}
		if target.Away > 0 {
			select {
			case <-time.After(target.Away):
			case <-ctx.Done():
			}
			for _, name := range target.Names {
				errs = append(errs, svcs.release(name))
			}
			if err := errors.Join(errs...); err != nil {
				return err
			}
		}
		// Ready again means the new process answers: the supervisor has replaced the old one.
		readyCtx, cancel := context.WithTimeout(ctx, 90*time.Second)
		defer cancel()
		for _, name := range target.Names {
			for svcs.pid(name) == old[name] || svcs.pid(name) == 0 {
				select {
				case <-readyCtx.Done():
					return fmt.Errorf("%s was not started again", name)
				case <-time.After(50 * time.Millisecond):
				}
			}
			if err := svcs.waitReady(readyCtx, name); err != nil {
				return err
			}
		}
		return nil
	}}
}

// paymentsHeld is how long the payment sandbox is away before the broker goes too.
const paymentsHeld = 8 * time.Second

// brokerOutage keeps RabbitMQ away for outage, arranged so that saga steps that write and then publish
// certainly run into it: the payment sandbox goes first (its process killed and kept away), so the
// orders in flight gather at "authorize payment"; the broker goes; the sandbox comes back, so those
// orders go on to commit their stock (or, when declined, to release it) while the broker is away,
// each attempt writing to the ledger and then timing out on the publish.
func brokerOutage(st *privateStack, svcs *services, outage time.Duration) fault {
	name := fmt.Sprintf("payment sandbox away %s, then RabbitMQ away %s (longest step timeout %s)", paymentsHeld, outage, longestStepTimeout)
	return fault{name: name, do: func(ctx context.Context) error {
		if err := svcs.hold(rolePayments); err != nil {
			return err
		}
		select {
		case <-time.After(paymentsHeld):
		case <-ctx.Done():
		}
		downErr := st.down("rabbitmq")
		if err := svcs.release(rolePayments); err != nil {
			return errors.Join(downErr, err)
		}
		if downErr != nil {
			return downErr
		}
		select {
		case <-time.After(outage):
		case <-ctx.Done():
		}
		return st.up(ctx, "rabbitmq")
	}}
}

// injectFaults runs the plan one fault after another, warmup after start and gap between them,
// reporting each as it ends. A fault that fails is recorded and the next one still runs.
func injectFaults(ctx context.Context, start time.Time, plan []fault, warmup, gap time.Duration, report func(injection)) []injection {
	var done []injection
	wait := warmup
	for _, f := range plan {
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return done
		}
		wait = gap
		began := time.Now()
		err := f.do(ctx)
		in := injection{Name: f.name, At: began.Sub(start), Took: time.Since(began), Err: err}
		done = append(done, in)
		report(in)
	}
	return done
}
