package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// sagaHistory builds a saga's history: events of the given types at the given ms from the start; an
// activity's started and completed events name the scheduled one before them.
func sagaHistory(t0 time.Time, events ...any) []*historypb.HistoryEvent {
	var out []*historypb.HistoryEvent
	var lastScheduled int64
	for i := 0; i < len(events); i += 2 {
		typ, ms := events[i].(enumspb.EventType), events[i+1].(int)
		e := &historypb.HistoryEvent{EventId: int64(len(out) + 1), EventType: typ,
			EventTime: timestamppb.New(t0.Add(time.Duration(ms) * time.Millisecond))}
		switch typ {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			name := "ReserveStock"
			if lastScheduled != 0 {
				name = "CommitStock"
			}
			lastScheduled = e.EventId
			e.Attributes = &historypb.HistoryEvent_ActivityTaskScheduledEventAttributes{ActivityTaskScheduledEventAttributes: &historypb.ActivityTaskScheduledEventAttributes{
				ActivityType: &commonpb.ActivityType{Name: name}}}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			e.Attributes = &historypb.HistoryEvent_ActivityTaskStartedEventAttributes{ActivityTaskStartedEventAttributes: &historypb.ActivityTaskStartedEventAttributes{ScheduledEventId: lastScheduled}}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			e.Attributes = &historypb.HistoryEvent_ActivityTaskCompletedEventAttributes{ActivityTaskCompletedEventAttributes: &historypb.ActivityTaskCompletedEventAttributes{ScheduledEventId: lastScheduled}}
		}
		out = append(out, e)
	}
	return out
}

// happyParts is the timeline of n sagas built by TestTimelineOf's saga, with the given medians of the
// parts that differ (the others are the same in every saga it builds).
func happyParts(n int, dispatch, firstTask, reserveRun, commitRun, decision float64) sagaTimeline {
	return sagaTimeline{Orders: n, EventsToDecision: 12, Parts: []timelinePart{
		{Name: partFirstTaskDispatch, Orders: n, MedianMs: dispatch},
		{Name: partFirstTask, Orders: n, MedianMs: firstTask},
		{Name: "ReserveStock dispatch", Orders: n, MedianMs: 4},
		{Name: "ReserveStock run", Orders: n, MedianMs: reserveRun},
		{Name: "workflow task 2", Orders: n, MedianMs: 5},
		{Name: "CommitStock dispatch", Orders: n, MedianMs: 3},
		{Name: "CommitStock run", Orders: n, MedianMs: commitRun},
		{Name: partDecision, Orders: n, MedianMs: decision},
	}}
}

func TestTimelineOf(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 5, 0, 0, 0, time.UTC)
	const (
		started   = enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED
		taskStart = enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED
		taskDone  = enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
		sched     = enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
		actStart  = enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED
		actDone   = enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
		decided   = enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED
	)
	saga := func(dispatch, firstTask, reserveRun, commitRun, decision int) []*historypb.HistoryEvent {
		return sagaHistory(t0, started, 0, taskStart, dispatch, taskDone, dispatch+firstTask,
			sched, dispatch+firstTask, actStart, dispatch+firstTask+4, actDone, dispatch+firstTask+4+reserveRun,
			taskStart, 40, taskDone, 45,
			sched, 45, actStart, 48, actDone, 48+commitRun,
			decided, decision)
	}
	tests := []struct {
		name      string
		histories [][]*historypb.HistoryEvent
		want      sagaTimeline
	}{
		{name: "medians of each part, in the order a saga meets them",
			histories: [][]*historypb.HistoryEvent{saga(3, 6, 10, 8, 70), saga(5, 7, 12, 9, 80), saga(4, 20, 11, 7, 90)},
			want:      happyParts(3, 4, 7, 11, 8, 80)},
		{name: "an undecided saga is left out",
			histories: [][]*historypb.HistoryEvent{saga(3, 6, 10, 8, 70), sagaHistory(t0, started, 0, taskStart, 50)},
			want:      happyParts(1, 3, 6, 10, 8, 70)},
		{name: "what follows the decision is left out",
			histories: [][]*historypb.HistoryEvent{sagaHistory(t0, started, 0, taskStart, 3, taskDone, 9, decided, 20,
				sched, 21, actStart, 22, actDone, 30)},
			want: sagaTimeline{Orders: 1, EventsToDecision: 4, Parts: []timelinePart{
				{Name: partFirstTaskDispatch, Orders: 1, MedianMs: 3},
				{Name: partFirstTask, Orders: 1, MedianMs: 6},
				{Name: partDecision, Orders: 1, MedianMs: 20},
			}}},
		{name: "no history", want: sagaTimeline{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, timelineOf(tt.histories))
		})
	}
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{5}, 5}, {[]float64{9, 1, 5}, 5}, {[]float64{4, 1, 3, 2}, 2.5}} {
		require.Equal(t, tt.want, median(tt.in), "%v", tt.in)
	}
}
