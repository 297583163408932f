package temporal

import (
	"context"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/orders"
	"github.com/order-saga/shop/workflows"
)

// describeTimeout bounds the look at a saga's pending activities: without an answer the stored order
// is still a true (if less detailed) answer.
const describeTimeout = 2 * time.Second

// Progress adds to an order whose saga has a step running (PENDING, RESERVED, COMPENSATING) what
// only Temporal knows meanwhile: where the saga stands (its status query; the stored order is written
// at transitions only), and for each step whose activity is still retrying (Temporal retries it, so
// neither the history nor the stored order sees each attempt) its attempt number and last failure,
// from the saga's pending activities (DescribeWorkflowExecution).
type Progress struct {
	Client client.Client
	Log    *slog.Logger
}

// stepsRunning reports whether a saga in status st may have a step's activity pending.
func stepsRunning(st domain.OrderStatus) bool {
	return st == domain.StatusPending || st == domain.StatusReserved || st == domain.StatusCompensating
}

// Live returns rec as its saga knows it now, with its pending steps' attempts and last failures;
// other orders come back as they are, and so does whatever Temporal cannot tell (the stored order
// is still a true answer, if a less detailed one).
func (p Progress) Live(ctx context.Context, rec orders.Order) orders.Order {
	if !stepsRunning(rec.Status) {
		return rec
	}
	id := workflows.OrderWorkflowID(rec.OrderID)
	rec = p.query(ctx, id, rec)
	ctx, cancel := context.WithTimeout(ctx, describeTimeout)
	defer cancel()
	desc, err := p.Client.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		p.Log.WarnContext(ctx, "describe a running saga", "orderId", rec.OrderID, "error", err)
		return rec
	}
	steps := append([]orders.Step(nil), rec.Steps...) // rec's steps may be shared
	for _, pa := range desc.GetPendingActivities() {
		name, ok := workflows.ActivitySteps[pa.GetActivityType().GetName()]
		if !ok {
			continue
		}
		live := stepNamed(steps, name)
		live.Name = name
		if workflows.IsCompensation(name) {
			// The saga counts runs of a compensation; Temporal the attempts within the run.
			live.State, live.Attempts = orders.StepCompensating, int(pa.GetAttempt())
		} else {
			// The saga counts the attempts before this run (a failed local attempt, runs before an
			// operator's retry); Temporal the attempts of this run.
			live.State, live.Attempts = orders.StepRunning, live.Attempts+int(pa.GetAttempt())
		}
		if f := pa.GetLastFailure(); f != nil {
			live.LastError = f.GetMessage()
		}
		steps = withStep(steps, live)
	}
	rec.Steps = steps
	return rec
}

// query returns the order as the saga holds it now (its steps' states), or rec when the saga does not
// answer (no worker up) or knows no more than rec.
func (p Progress) query(ctx context.Context, id string, rec orders.Order) orders.Order {
	ctx, cancel := context.WithTimeout(ctx, describeTimeout)
	defer cancel()
	v, err := p.Client.QueryWorkflow(ctx, id, "", workflows.QueryStatus)
	if err != nil {
		p.Log.WarnContext(ctx, "query a running saga", "orderId", rec.OrderID, "error", err)
		return rec
	}
	var now orders.Order
	if err := v.Get(&now); err != nil || now.Seq < rec.Seq {
		return rec
	}
	return now
}

// stepNamed returns the step of that name, or a zero one.
func stepNamed(steps []orders.Step, name string) orders.Step {
	for _, st := range steps {
		if st.Name == name {
			return st
		}
	}
	return orders.Step{}
}

// withStep replaces the step of the same name, or appends it.
func withStep(steps []orders.Step, st orders.Step) []orders.Step {
	for i := range steps {
		if steps[i].Name == st.Name {
			steps[i] = st
			return steps
		}
	}
	return append(steps, st)
}
