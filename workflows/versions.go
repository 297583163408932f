package workflows

import "go.temporal.io/sdk/workflow"

// Changes of the saga's code that running sagas must not see (workflow.GetVersion): each keeps the
// sagas started before it on the code they started with, and the recorded histories in testdata/
// (replay_test.go) prove it.
const (
	// parkingChange (v2 recordings): a forward step that runs out of retries parks the saga instead
	// of retrying forever.
	parkingChange  = "park-on-exhausted-retries"
	parkingVersion = 1
	// guardsChange (v3): compensations run side by side, each one activity that Temporal retries; a
	// fulfil signal before CONFIRMED is ignored; an unpriceable order is REJECTED. One change id for
	// the three, looked up only where one of them matters, so the happy path records no marker.
	guardsChange  = "bounded-compensations"
	guardsVersion = 1
	// nativeRetriesChange (v4): each forward step is one activity that Temporal retries under the
	// step's policy and ScheduleToClose, the order service's own work runs as a local activity first,
	// and the saga writes the OrderStatus search attribute only where an operator filters on it. It
	// implies guardsChange. Looked up once, before the saga's first command (the first one that
	// differs: older sagas upserted the search attributes before recording PENDING).
	nativeRetriesChange  = "native-step-retries"
	nativeRetriesVersion = 1
	// foldedStartVersion (v5), a second version of nativeRetriesChange (so no marker of its own): the
	// order's PENDING transition is not recorded at the start but rides with the next record, with
	// RESERVED in RecordThenAuthorize on the happy path. The first workflow task no longer waits for
	// the order store, and a happy order is stored once, at its decision (see orders.Service.Record).
	foldedStartVersion = 2
	// directStockVersion (v6), a third version of nativeRetriesChange: the saga's first attempt at
	// reserve and commit is a local activity of the order worker that calls the inventory service's
	// HTTP API (ReserveStockViaAPI, CommitStockViaAPI), falling back to the inventory's task queue when
	// it fails. A happy order then runs in one workflow task: no activity dispatch, no task between
	// the steps.
	directStockVersion = 3
)

// startsNative decides, once per saga, whether it runs the current code (run) or the code it was
// started with (runLegacy).
func (s *saga) startsNative(ctx workflow.Context) bool {
	v := workflow.GetVersion(ctx, nativeRetriesChange, workflow.DefaultVersion, directStockVersion)
	s.native, s.foldedStart, s.directStock = v >= nativeRetriesVersion, v >= foldedStartVersion, v >= directStockVersion
	return s.native
}

// guarded reports whether guardsChange applies: always for current sagas, which need no marker of
// their own for it.
func (s *saga) guarded(ctx workflow.Context) bool {
	if s.native {
		return true
	}
	return workflow.GetVersion(ctx, guardsChange, workflow.DefaultVersion, guardsVersion) >= guardsVersion
}
