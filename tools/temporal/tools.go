//go:build tools

// Package tools pins the Temporal CLI's command for `go build` in this module.
package tools

import _ "github.com/temporalio/cli/cmd/temporal"
