package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	// The driver FerretDB itself uses; its name is "sqlite".
	_ "modernc.org/sqlite"
)

// FerretDB 1.24's SQLite backend finds a document by _id with the filter
// `_ferretdb_sjson->'$._id' = ?` (lookups and every update's write-back),
// but creates its unique _id index on `_ferretdb_sjson->"_id"`. SQLite only
// uses an index on an expression written the same way, so each _id lookup
// scans its table and parses every document's JSON (EXPLAIN QUERY PLAN
// says SCAN): a supplier page cost 60 ms of JSON parsing with 56
// assessments stored, growing with every document. indexIDs adds an index
// on the expression the queries use to each collection's table. FerretDB
// does not know of it (its index list lives in its own metadata), and a
// dropped collection takes it along with its table.
const idIndexSuffix = "__assay_id_lookup"

// idIndexEvery is how often new collections are looked for: FerretDB
// creates a table on a collection's first write. A variable for the test
// that needs a table left unindexed for a while.
var idIndexEvery = 10 * time.Second

// indexIDs adds the _id lookup index to every collection table of every
// database in dir that lacks it.
func indexIDs(ctx context.Context, dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		return err
	}
	var errs []error
	for _, f := range files {
		errs = append(errs, indexFile(ctx, f))
	}
	return errors.Join(errs...)
}

func indexFile(ctx context.Context, file string) error {
	// FerretDB's own connections wait up to 10 s for a lock, as this one
	// does: creating an index briefly holds the write lock.
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("embedded database %s: %w", file, err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM _ferretdb_collections
		WHERE table_name || ? NOT IN (SELECT name FROM sqlite_master WHERE type = 'index')`, idIndexSuffix)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil // a database FerretDB has not set up yet
		}
		return fmt.Errorf("embedded database %s: %w", file, err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return fmt.Errorf("embedded database %s: %w", file, err)
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("embedded database %s: %w", file, err)
	}
	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, t+idIndexSuffix, t)
		if _, err := db.ExecContext(ctx, q); err != nil && !strings.Contains(err.Error(), "no such table") {
			return fmt.Errorf("indexing %s in %s: %w", t, file, err)
		}
	}
	return nil
}

// indexLoop keeps every collection indexed until ctx ends.
func (m *Mongo) indexLoop(ctx context.Context, dir string) {
	defer close(m.indexed)
	t := time.NewTicker(idIndexEvery)
	defer t.Stop()
	for {
		if err := indexIDs(ctx, dir); err != nil && ctx.Err() == nil {
			m.log.Warn("indexing _id lookups of the embedded database", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
