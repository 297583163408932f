package logship

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"time"
)

// field is one flattened attribute: groups are folded into the key as "group.key".
type field struct {
	key string
	val any
}

// handler writes every record to inner and hands a copy to the shared shipper. Values are resolved
// and encoded in the caller's goroutine, as slog's own handlers do: a LogValuer or a mutable value is
// captured as it was when logged, not when the shipper gets to it.
type handler struct {
	s      *Shipper
	inner  slog.Handler
	prefix string  // the open groups, each followed by "."
	fields []field // attributes added with WithAttrs, already under their groups
}

// Handler returns a handler that writes to inner (the stdout JSON handler) and also ships every record
// it handles to Elasticsearch. Its level is inner's. Handlers derived with WithAttrs and WithGroup share
// this shipper.
func (s *Shipper) Handler(inner slog.Handler) slog.Handler {
	return &handler{s: s, inner: inner}
}

func (h *handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

// Handle never blocks on Elasticsearch: shipping is a non-blocking hand-off to a bounded buffer, and
// a record that does not fit is dropped (and counted). inner's error is returned as is.
func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	err := h.inner.Handle(ctx, r)
	if h.s.accepting() {
		h.s.enqueue(h.document(r))
	}
	return err
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	fields := slices.Clip(h.fields) // appending must not write into the parent's backing array
	for _, a := range attrs {
		fields = appendAttr(fields, h.prefix, a)
	}
	return &handler{s: h.s, inner: h.inner.WithAttrs(attrs), prefix: h.prefix, fields: fields}
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" { // slog's contract: an empty group name changes nothing
		return h
	}
	return &handler{s: h.s, inner: h.inner.WithGroup(name), prefix: h.prefix + name + ".", fields: h.fields}
}

// document encodes r as the JSON document stored in Elasticsearch: @timestamp, level, message,
// service, and every attribute flattened. The four fixed fields win over attributes of the same name.
func (h *handler) document(r slog.Record) entry {
	t := r.Time
	if t.IsZero() { // slog allows records without a time; a log index needs one
		t = time.Now()
	}
	fields := make([]field, len(h.fields), len(h.fields)+r.NumAttrs())
	copy(fields, h.fields)
	r.Attrs(func(a slog.Attr) bool {
		fields = appendAttr(fields, h.prefix, a)
		return true
	})

	doc := make(map[string]any, len(fields)+4)
	for _, f := range fields {
		doc[f.key] = f.val
	}
	doc["@timestamp"] = t.UTC().Format(time.RFC3339Nano)
	doc["level"] = r.Level.String()
	doc["message"] = r.Message
	doc["service"] = h.s.service

	body, err := json.Marshal(doc)
	if err != nil { // cannot happen: every value was made encodable by appendAttr; keep the message
		body, _ = json.Marshal(map[string]any{
			"@timestamp": doc["@timestamp"], "level": doc["level"], "message": r.Message,
			"service": h.s.service, "logshipError": err.Error(),
		})
	}
	return entry{index: IndexName(t), body: body}
}

// appendAttr flattens a into fields under prefix, following slog's rules: an empty attribute is
// ignored, a group's attributes get "group." in front of their key, a group without a key is inlined,
// an empty group is dropped.
func appendAttr(fields []field, prefix string, a slog.Attr) []field {
	a.Value = a.Value.Resolve()
	if a.Value.Kind() == slog.KindGroup {
		attrs := a.Value.Group()
		if len(attrs) == 0 {
			return fields
		}
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, ga := range attrs {
			fields = appendAttr(fields, prefix, ga)
		}
		return fields
	}
	if a.Key == "" { // the empty attribute, or one Elasticsearch would refuse (empty field name)
		return fields
	}
	return append(fields, field{key: prefix + a.Key, val: jsonValue(a.Value)})
}

// jsonValue is v as it is written to the document, following slog's JSON handler (a duration in
// nanoseconds, an error as its message). Whatever JSON cannot hold becomes a string, so that one odd
// value never costs the whole record.
func jsonValue(v slog.Value) any {
	switch v.Kind() {
	case slog.KindString:
		return v.String()
	case slog.KindInt64:
		return v.Int64()
	case slog.KindUint64:
		return v.Uint64()
	case slog.KindFloat64:
		if f := v.Float64(); !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f
		}
		return v.String()
	case slog.KindBool:
		return v.Bool()
	case slog.KindDuration:
		return v.Duration().Nanoseconds()
	case slog.KindTime:
		return v.Time().Format(time.RFC3339Nano)
	}
	x := v.Any()
	if err, ok := x.(error); ok {
		if _, custom := x.(json.Marshaler); !custom {
			return err.Error()
		}
	}
	raw, err := json.Marshal(x)
	if err != nil {
		return fmt.Sprintf("%+v", x)
	}
	return json.RawMessage(raw)
}
