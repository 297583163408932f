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
const (
	describeTimeout = 2 * time.Second
	pageLiveTimeout = 3 * time.Second
)

// Compensations adds to an order that is COMPENSATING what only Temporal knows while its compensations
// run: which are done already (the saga's status query; the stored order is written again only at the
// end), and for each one still retrying (Temporal retries it, so neither the history nor the stored
// order sees each attempt) its attempt number and last failure, from the saga's pending activities
// (DescribeWorkflowExecution).
type Compensations struct {
	Client client.Client
	Log    *slog.Logger
}

// Live returns rec as its saga knows it now, with its pending compensations' attempts and last
// failures; other orders come back as they are, and so does whatever Temporal cannot tell (the
// stored order is still a true answer, if a less detailed one).
func (c Compensations) Live(ctx context.Context, rec orders.Order) orders.Order {
	if rec.Status != domain.StatusCompensating {
		return rec
	}
	id := workflows.OrderWorkflowID(rec.OrderID)
	rec = c.query(ctx, id, rec)
	ctx, cancel := context.WithTimeout(ctx, describeTimeout)
	defer cancel()
	desc, err := c.Client.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		c.Log.WarnContext(ctx, "describe a compensating saga", "orderId", rec.OrderID, "error", err)
		return rec
	}
	steps := append([]orders.Step(nil), rec.Steps...) // rec's steps may be shared
	for _, pa := range desc.GetPendingActivities() {
		name, ok := workflows.CompensationSteps[pa.GetActivityType().GetName()]
		if !ok {
			continue
		}
		live := orders.Step{Name: name, State: orders.StepCompensating, Attempts: int(pa.GetAttempt())}
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
func (c Compensations) query(ctx context.Context, id string, rec orders.Order) orders.Order {
	ctx, cancel := context.WithTimeout(ctx, describeTimeout)
	defer cancel()
	v, err := c.Client.QueryWorkflow(ctx, id, "", workflows.QueryStatus)
	if err != nil {
		c.Log.WarnContext(ctx, "query a compensating saga", "orderId", rec.OrderID, "error", err)
		return rec
	}
	var now orders.Order
	if err := v.Get(&now); err != nil || now.Seq < rec.Seq {
		return rec
	}
	return now
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

// LiveOrders is an order store whose COMPENSATING orders carry their live compensation steps.
type LiveOrders struct {
	Store interface {
		Get(ctx context.Context, orderID string) (orders.Order, error)
		orders.Lister
	}
	Compensations
}

// Get returns the stored order, live while it is COMPENSATING.
func (l LiveOrders) Get(ctx context.Context, orderID string) (orders.Order, error) {
	rec, err := l.Store.Get(ctx, orderID)
	if err != nil {
		return rec, err
	}
	return l.Live(ctx, rec), nil
}

// List returns a page of stored orders, the COMPENSATING ones live.
func (l LiveOrders) List(ctx context.Context, q orders.Query) ([]orders.Order, error) {
	recs, err := l.Store.List(ctx, q)
	return l.liveAll(ctx, recs), err
}

// LiveSearch is an order search (the operator list) whose COMPENSATING orders carry their live
// compensation steps.
type LiveSearch struct {
	orders.Searcher
	Compensations
}

// Search answers the search, the COMPENSATING orders live.
func (l LiveSearch) Search(ctx context.Context, q orders.Query) ([]orders.Order, error) {
	recs, err := l.Searcher.Search(ctx, q)
	return l.liveAll(ctx, recs), err
}

// liveAll makes a page's COMPENSATING orders live within one bound for the whole page, so a page of
// them with Temporal away costs pageLiveTimeout, not describeTimeout per order; past it the rest come
// back as stored.
func (c Compensations) liveAll(ctx context.Context, recs []orders.Order) []orders.Order {
	ctx, cancel := context.WithTimeout(ctx, pageLiveTimeout)
	defer cancel()
	for i := range recs {
		if ctx.Err() != nil {
			break
		}
		recs[i] = c.Live(ctx, recs[i])
	}
	return recs
}
