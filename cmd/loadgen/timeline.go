package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"

	"github.com/order-saga/shop/workflows"
)

// sagaTimeline is where the low-rate orders' sagas spend their time, each part the median over the
// orders, read from the server's own history timestamps. POST → decision carries the client's and the
// machine's scheduling noise (the same build measured twice can move its p50 by 15-20 ms); these parts
// do not, so a change of a few milliseconds in one part shows between two runs.
type sagaTimeline struct {
	Orders int `json:"orders"`
	// Parts are what a saga met up to its decision, ordered by when they typically end; an activity's
	// dispatch is its schedule → start (the task queue), its run is start → completion (the worker,
	// and the completion's trip).
	Parts []timelinePart `json:"parts"`
	// EventsToDecision is the median event id of the decision (the awaitDecision update completed).
	EventsToDecision float64 `json:"eventsToDecision"`
}

type timelinePart struct {
	Name     string  `json:"name"`
	Orders   int     `json:"orders"` // how many orders had this part
	MedianMs float64 `json:"medianMs"`
}

// Names of the parts that are not an activity's.
const (
	partFirstTaskDispatch = "first workflow task dispatch"
	partFirstTask         = "first workflow task"
	partDecision          = "start → decision"
)

// span is one part of one saga: how long it took, and when it ended (ms from the saga's start).
type span struct{ ms, endMs float64 }

// sagaParts splits one saga's history, up to its decision, into parts, and gives the decision's event
// id (0: none yet).
func sagaParts(events []*historypb.HistoryEvent) (map[string]span, int64) {
	parts := map[string]span{}
	if len(events) == 0 {
		return parts, 0
	}
	start := events[0].GetEventTime().AsTime()
	add := func(name string, from, to time.Time) {
		parts[name] = span{ms: millis(to.Sub(from)), endMs: millis(to.Sub(start))}
	}
	var decision int64
	scheduled := map[int64]*historypb.HistoryEvent{} // activity scheduled events by id
	started := map[int64]time.Time{}                 // activity start by its scheduled event id
	var taskStarted time.Time                        // the workflow task running, if any
	tasks := 0                                       // workflow tasks completed
	for _, e := range events {
		if decision != 0 {
			break // what follows the decision (a cancel's refund, say) is not on the way to it
		}
		at := e.GetEventTime().AsTime()
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
			if tasks == 0 && taskStarted.IsZero() {
				add(partFirstTaskDispatch, start, at)
			}
			taskStarted = at
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
			if !taskStarted.IsZero() {
				tasks++
				add(taskPart(tasks), taskStarted, at)
				taskStarted = time.Time{}
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			scheduled[e.GetEventId()] = e
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			id := e.GetActivityTaskStartedEventAttributes().GetScheduledEventId()
			if s, ok := scheduled[id]; ok {
				started[id] = at
				add(activityName(s)+" dispatch", s.GetEventTime().AsTime(), at)
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			id := e.GetActivityTaskCompletedEventAttributes().GetScheduledEventId()
			if s, ok := scheduled[id]; ok && !started[id].IsZero() {
				add(activityName(s)+" run", started[id], at)
			}
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
			decision = e.GetEventId()
			add(partDecision, start, at)
		}
	}
	return parts, decision
}

// taskPart names the nth workflow task's run (its local activities included).
func taskPart(n int) string {
	if n == 1 {
		return partFirstTask
	}
	return fmt.Sprintf("workflow task %d", n)
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func activityName(scheduled *historypb.HistoryEvent) string {
	return scheduled.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()
}

// timelineOf aggregates the sagas' parts: the median of each part over the orders that had it, the
// parts ordered by their median end.
func timelineOf(histories [][]*historypb.HistoryEvent) sagaTimeline {
	took, ended := map[string][]float64{}, map[string][]float64{}
	var decisions []float64
	for _, h := range histories {
		parts, decision := sagaParts(h)
		if decision == 0 {
			continue // undecided: not comparable
		}
		decisions = append(decisions, float64(decision))
		for name, sp := range parts {
			took[name] = append(took[name], sp.ms)
			ended[name] = append(ended[name], sp.endMs)
		}
	}
	t := sagaTimeline{Orders: len(decisions), EventsToDecision: median(decisions)}
	for name, v := range took {
		t.Parts = append(t.Parts, timelinePart{Name: name, Orders: len(v), MedianMs: median(v)})
	}
	slices.SortFunc(t.Parts, func(a, b timelinePart) int {
		return cmp.Or(cmp.Compare(median(ended[a.Name]), median(ended[b.Name])), cmp.Compare(a.Name, b.Name))
	})
	return t
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// readTimeline reads the histories of orderIDs' sagas and aggregates them.
func readTimeline(ctx context.Context, c client.Client, orderIDs []string) (sagaTimeline, error) {
	histories := make([][]*historypb.HistoryEvent, 0, len(orderIDs))
	for _, id := range orderIDs {
		var events []*historypb.HistoryEvent
		it := c.GetWorkflowHistory(ctx, workflows.OrderWorkflowID(id), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				return sagaTimeline{}, fmt.Errorf("history of order %s: %w", id, err)
			}
			events = append(events, e)
		}
		histories = append(histories, events)
	}
	return timelineOf(histories), nil
}

// print writes the timeline for a reader.
func (t sagaTimeline) print(w io.Writer) {
	fmt.Fprintf(w, "  saga timeline, median of %d low-rate orders (server time): decision at event %.0f\n", t.Orders, t.EventsToDecision)
	for _, p := range t.Parts {
		fmt.Fprintf(w, "    %-34s %7.1f ms  (%d orders)\n", p.Name, p.MedianMs, p.Orders)
	}
}
