package mongodb

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Option adjusts the client Connect opens.
type Option func(*options.ClientOptions)

// WithCommandLog writes one JSON line (a Command) to w for every data command the client sends, so a
// test can count what one order costs the store: on FerretDB each small command is a noticeable share
// of what the server manages in a second. Handshakes, pings and the like are left out.
func WithCommandLog(w io.Writer) Option {
	var mu sync.Mutex
	enc := json.NewEncoder(w)
	monitor := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		c, ok := commandOf(e.DatabaseName, e.CommandName, e.Command)
		if !ok {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		_ = enc.Encode(c) // a lost line shows as a miscount in the test that reads it
	}}
	return func(o *options.ClientOptions) { o.SetMonitor(monitor) }
}

// Command is one data command as WithCommandLog writes it.
type Command struct {
	Database   string `json:"db"`
	Collection string `json:"coll"`
	Name       string `json:"cmd"`
	Write      bool   `json:"write"`
	// Documents is how many documents the command writes (inserts, updates, deletes); 0 for a read.
	Documents int `json:"docs,omitempty"`
	// Filter lists the top-level fields the command's (first) filter names, such as "_id": FerretDB
	// answers a filter on _id alone from an index and scans the collection for any other.
	Filter []string `json:"filter,omitempty"`
}

// commandKinds are the commands WithCommandLog logs: true for a write, with the field that lists
// its documents ("" for findAndModify, one document).
var commandKinds = map[string]struct {
	write bool
	docs  string
}{
	"insert": {true, "documents"}, "update": {true, "updates"}, "delete": {true, "deletes"},
	"findAndModify": {true, ""},
	"find":          {false, ""}, "aggregate": {false, ""}, "count": {false, ""}, "distinct": {false, ""},
	"getMore": {false, ""},
}

func commandOf(db, name string, cmd bson.Raw) (Command, bool) {
	kind, ok := commandKinds[name]
	if !ok {
		return Command{}, false
	}
	c := Command{Database: db, Name: name, Write: kind.write}
	// A command's first field names its collection ({insert: "orders", …}); getMore's names a cursor.
	if name == "getMore" {
		c.Collection, _ = cmd.Lookup("collection").StringValueOK()
	} else if elems, err := cmd.Elements(); err == nil && len(elems) > 0 {
		c.Collection, _ = elems[0].Value().StringValueOK()
	}
	switch {
	case kind.docs != "":
		if arr, ok := cmd.Lookup(kind.docs).ArrayOK(); ok {
			vals, _ := arr.Values()
			c.Documents = len(vals)
		}
	case kind.write:
		c.Documents = 1
	}
	c.Filter = filterFields(name, cmd)
	return c, true
}

// filterFields names the top-level fields of a command's filter: find's filter, the query of an
// update's or delete's first statement, findAndModify's query.
func filterFields(name string, cmd bson.Raw) []string {
	var filter bson.Raw
	switch name {
	case "find", "count":
		filter, _ = cmd.Lookup(map[string]string{"find": "filter", "count": "query"}[name]).DocumentOK()
	case "findAndModify":
		filter, _ = cmd.Lookup("query").DocumentOK()
	case "update", "delete":
		stmts, _ := cmd.Lookup(map[string]string{"update": "updates", "delete": "deletes"}[name]).ArrayOK()
		if vals, err := stmts.Values(); err == nil && len(vals) > 0 {
			if stmt, ok := vals[0].DocumentOK(); ok {
				filter, _ = stmt.Lookup("q").DocumentOK()
			}
		}
	}
	elems, _ := filter.Elements()
	fields := make([]string, 0, len(elems))
	for _, e := range elems {
		fields = append(fields, e.Key())
	}
	if len(fields) == 0 {
		return nil
	}
	return fields
}

// ReadCommandLog reads the lines WithCommandLog wrote.
func ReadCommandLog(r io.Reader) ([]Command, error) {
	var out []Command
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var c Command
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("command log line %q: %w", sc.Text(), err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read command log: %w", err)
	}
	return out, nil
}
