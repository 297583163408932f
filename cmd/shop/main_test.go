package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunRejectsBadCommands(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "no command", args: nil, wantErr: "no command"},
		{name: "unknown command", args: []string{"warehouse"}, wantErr: `unknown command "warehouse"`},
		{name: "unknown flag", args: []string{"inventory", "-bogus"}, wantErr: "flag provided but not defined"},
		{name: "no role", args: []string{"orders", "-api=false", "-worker=false"}, wantErr: "nothing to run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tt.args, &out, &errOut)
			require.ErrorContains(t, err, tt.wantErr)
			require.Contains(t, strings.ToLower(errOut.String()), "usage")
		})
	}
}
