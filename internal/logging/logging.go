// Package logging sets up the structured JSON logger every process uses.
package logging

import (
	"io"
	"log/slog"
)

// New returns a JSON slog logger tagged with the service name, so that lines from several processes
// can be told apart once they are shipped to one place. Records logged with a context that holds a
// span carry its trace_id and span_id (WithTrace).
func New(w io.Writer, service string, level slog.Level) *slog.Logger {
	return slog.New(WithTrace(NewHandler(w, service, level)))
}

// NewHandler is New's JSON handler without the trace ids, for a handler that wraps it (the log
// shipper) and is itself wrapped by WithTrace, so the ids are added once and reach both.
func NewHandler(w io.Writer, service string, level slog.Level) slog.Handler {
	return slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}).WithAttrs([]slog.Attr{slog.String("service", service)})
}
