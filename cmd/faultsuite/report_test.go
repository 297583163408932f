package main

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestReportShowsEachProcess(t *testing.T) {
	const hint = "-log-level debug counts them"
	tests := []struct {
		name     string
		procs    []processFigure
		want     []string
		wantHint bool
	}{
		{
			name: "replicas with counts and ledger figures",
			procs: []processFigure{
				{Name: "payments", Starts: 3, Requests: 800},
				{Name: "inventory-1", Starts: 2, ActivitiesCompleted: 437, ActivitiesFailed: 187, Requests: 11, HasLedger: true, Ledger: ledgerFigure{Appends: 309, Attempts: 445}},
				{Name: "inventory-2", Starts: 3, LedgerErr: errors.New("metrics of x: refused")},
			},
			want: []string{
				"payments            3           0       0       800 -",
				"inventory-1         2         437     187        11 309 (136 retried)",
				"inventory-2         3           0       0         0 metrics of x: refused",
			},
		},
		{
			name:     "logs at warn: nothing counted, and the report says why",
			procs:    []processFigure{{Name: "inventory", Starts: 2, ActivitiesFailed: 5, HasLedger: true, Ledger: ledgerFigure{Appends: 10, Attempts: 10}}},
			want:     []string{"inventory           2           0       5         0 10 (0 retried)"},
			wantHint: true,
		},
		{
			name:  "a log that could not be read",
			procs: []processFigure{{Name: "orders-1", Starts: 1, Err: errors.New("log of orders-1: gone")}},
			want:  []string{"orders-1            1  log of orders-1: gone; -"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			printReport(&out, figures{}, nil, nil, tt.procs, 16, time.Minute, nil)
			for _, w := range tt.want {
				require.Contains(t, out.String(), w)
			}
			if tt.wantHint {
				require.Contains(t, out.String(), hint)
			} else {
				require.NotContains(t, out.String(), hint)
			}
		})
	}
}
