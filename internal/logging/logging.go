// Package logging sets up the structured JSON logger every process uses.
package logging

import (
	"io"
	"log/slog"
)

// New returns a JSON slog logger tagged with the service name, so that lines from several processes
// can be told apart once they are shipped to one place.
func New(w io.Writer, service string, level slog.Level) *slog.Logger {
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})
	return slog.New(h).With("service", service)
}
