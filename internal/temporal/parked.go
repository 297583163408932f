package temporal

import (
	"context"
	"fmt"
	"strconv"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/order-saga/shop/domain"
	"github.com/order-saga/shop/workflows"
)

// CountParked returns how many order sagas on the order service's task queue wait in NEEDS_ATTENTION
// for an operator, as Temporal's visibility lists them (the OrderStatus search attribute, which the
// saga sets on parking and changes on leaving; the operators' filter in the Temporal UI). It asks
// visibility rather than the orders database: the count is the same from every replica and after any
// restart, and it costs the store nothing (FerretDB would scan the whole collection for a status).
// Visibility follows the sagas within about a second.
func (s Sagas) CountParked(ctx context.Context) (int64, error) {
	query := fmt.Sprintf("%s = %s AND ExecutionStatus = 'Running' AND TaskQueue = %s",
		workflows.OrderStatusKey.GetName(), strconv.Quote(string(domain.StatusNeedsAttention)), strconv.Quote(s.TaskQueue))
	resp, err := s.Client.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: query})
	if err != nil {
		return 0, fmt.Errorf("count parked orders: %w", err)
	}
	return resp.GetCount(), nil
}
