// Command ferretdb runs FerretDB 1.x on its SQLite backend as the local stack's MongoDB-protocol
// server. It lives in its own module so that FerretDB's dependencies never reach the product's go.mod;
// `go install` of FerretDB's own command panics for want of a generated version file, embedding does not.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	_ "net/http/pprof" // served only with -pprof, to see where the store's CPU goes under load
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	_ "modernc.org/sqlite" // the driver FerretDB itself uses, for indexIDs
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dir := flag.String("dir", ".data/ferretdb", "directory for the SQLite database files")
	synchronous := flag.String("synchronous", "normal", "SQLite's synchronous pragma (normal or full; see run)")
	pprofAddr := flag.String("pprof", os.Getenv("FERRETDB_PPROF"), "address for net/http/pprof (off when empty)")
	flag.Parse()

	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if *pprofAddr != "" {
		go func() { logger.Warn("pprof stopped", "error", http.ListenAndServe(*pprofAddr, nil)) }()
	}
	if err := run(*listen, *dir, *synchronous, logger); err != nil {
		logger.Error("ferretdb stopped", "error", err)
		os.Exit(1)
	}
}

// run serves FerretDB on SQLite files in dir. FerretDB opens them in WAL mode; synchronous=normal
// then syncs at checkpoints instead of on every commit: a commit survives the process being killed
// (the fault suite's kill -9 and restarts), and only an operating-system crash or power loss can
// lose the last commits. SQLite's default, full, syncs every commit.
func run(listen, dir, synchronous string, logger *slog.Logger) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("data dir %q: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}

	if err := removeEmptyDatabases(abs, logger); err != nil {
		return err
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/?_pragma=synchronous(" + synchronous + ")",
	})
	if err != nil {
		return fmt.Errorf("start ferretdb: %w", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(os.Stderr, "ferretdb listening on %s, data in %s\n", listen, abs)
	go indexIDs(ctx, abs, logger)
	return f.Run(ctx)
}

// indexIDs works around a FerretDB 1.24 SQLite-backend bug: it indexes each collection's _id as
// _ferretdb_sjson->"_id" but looks documents up by _ferretdb_sjson->'$._id', an expression SQLite
// does not match to that index, so every lookup by _id scans the whole table (12 ms for 1,700 orders,
// growing with the data). Every two seconds this adds, to each collection table that lacks it, an
// index on the exact expression FerretDB queries. FerretDB does not track the extra index; SQLite
// drops it with its table.
func indexIDs(ctx context.Context, dir string, logger *slog.Logger) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		for _, f := range files {
			if err := indexIDsIn(ctx, f); err != nil && ctx.Err() == nil {
				logger.Warn("adding _id lookup indexes", "file", f, "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func indexIDsIn(ctx context.Context, file string) error {
	// mode=rw: never create the file. A database being dropped may vanish between the glob and here,
	// and an empty file left in its place would stop FerretDB from starting.
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT c.table_name FROM _ferretdb_collections c
		WHERE NOT EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = c.table_name || '__id_lookup')`)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") || strings.Contains(err.Error(), "unable to open") {
			return nil // a database FerretDB is still creating, or has just dropped
		}
		return err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	rows.Close()
	for _, table := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, table+"__id_lookup", table)
		if _, err := db.ExecContext(ctx, q); err != nil && !strings.Contains(err.Error(), "no such table") {
			return fmt.Errorf("%s: %w", table, err)
		}
	}
	return nil
}

// removeEmptyDatabases deletes database files without a single table (left behind when a database
// was dropped while something held it open): FerretDB refuses to start on them, and they hold no data.
func removeEmptyDatabases(dir string, logger *slog.Logger) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		return err
	}
	for _, f := range files {
		db, err := sql.Open("sqlite", "file:"+f+"?mode=ro")
		if err != nil {
			return fmt.Errorf("check %s: %w", f, err)
		}
		var tables int
		err = db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&tables)
		db.Close()
		if err != nil {
			return fmt.Errorf("check %s: %w", f, err)
		}
		if tables == 0 {
			logger.Warn("removing an empty database file", "file", f)
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if err := os.Remove(f + suffix); err != nil && !os.IsNotExist(err) {
					return fmt.Errorf("remove %s: %w", f+suffix, err)
				}
			}
		}
	}
	return nil
}
