package main

import (
	"context"
	"time"
)

// reparkedAfter is how long after an operator's retry an order still (again) parked counts as
// parked for good: a retried step gets a fresh budget of attempts with backoff, far longer than this,
// so an order seen parked then has run out of it again rather than not having moved yet.
const reparkedAfter = 15 * time.Second

// settle follows every order that was given an id until it is terminal, as an operator would:
// parked orders (NEEDS_ATTENTION) get up to retryLimit retries through the admin API. It returns
// when nothing is left to wait for (every order terminal, or parked again after its retries) or ctx
// ends, with the newest view of each order it could read.
func settle(ctx context.Context, api shopAPI, ps []*placement, retryLimit int, now func() time.Time) map[string]orderView {
	views := map[string]orderView{}
	retriedAt := map[string]time.Time{}
	for {
		waiting := 0
		for _, p := range ps {
			if p.OrderID == "" {
				continue
			}
			if v, ok := views[p.OrderID]; ok && terminal(v.Status) {
				continue
			}
			o, found, err := api.getOrder(ctx, p.OrderID)
			if err != nil || !found {
				waiting++
				continue
			}
			views[p.OrderID], p.Status = o, o.Status
			if terminal(o.Status) {
				continue
			}
			if o.Status != statusNeedsAttention {
				waiting++
				continue
			}
			p.Parked = true
			switch {
			case p.Retried < retryLimit:
				if err := api.retryParked(ctx, p.OrderID); err != nil {
					p.LastErr = err.Error()
				} else {
					p.Retried++
					retriedAt[p.OrderID] = now()
				}
				waiting++
			case now().Sub(retriedAt[p.OrderID]) < reparkedAfter:
				waiting++
			}
		}
		if waiting == 0 || ctx.Err() != nil {
			return views
		}
		select {
		case <-ctx.Done():
			return views
		case <-time.After(2 * time.Second):
		}
	}
}
