package embedded

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	storemongo "github.com/assayhq/assay/storage/mongo"
	"go.mongodb.org/mongo-driver/bson"
)

// FerretDB's own _id lookup is planned as a scan of the whole table until
// the lookup index exists, and as an index search after; documents read
// and update by _id as before.
func TestIDLookupsUseAnIndex(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	every := idIndexEvery
	idIndexEvery = time.Hour // the loop indexes nothing the test makes
	t.Cleanup(func() { idIndexEvery = every })
	m, err := StartMongo(ctx, dir, "127.0.0.1:0", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	db, err := storemongo.Connect(ctx, m.URI, "idx")
	if err != nil {
		t.Fatal(err)
	}
	c := db.Collection("docs")
	var docs []any
	for i := range 200 {
		docs = append(docs, bson.M{"_id": fmt.Sprint(i), "n": i})
	}
	if _, err := c.InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "idx.sqlite")
	if plan := lookupPlan(t, file, "docs"); !strings.HasPrefix(plan, "SCAN") {
		t.Fatalf("without the index the lookup is planned as %q; FerretDB may have fixed its _id pushdown, and indexIDs may go", plan)
	}
	if err := indexIDs(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if plan := lookupPlan(t, file, "docs"); !strings.Contains(plan, "USING INDEX") || !strings.Contains(plan, idIndexSuffix) {
		t.Fatalf("with the index the lookup is planned as %q", plan)
	}
	if err := indexIDs(ctx, dir); err != nil {
		t.Fatalf("indexing again: %v", err)
	}
	if _, err := c.UpdateOne(ctx, bson.M{"_id": "42"}, bson.M{"$set": bson.M{"n": -1}}); err != nil {
		t.Fatal(err)
	}
	var got struct{ N int }
	if err := c.FindOne(ctx, bson.M{"_id": "42"}).Decode(&got); err != nil || got.N != -1 {
		t.Fatalf("document 42 after the update: %+v %v", got, err)
	}
	if err := c.Drop(ctx); err != nil {
		t.Fatalf("dropping an indexed collection: %v", err)
	}
	_ = db.Client().Disconnect(ctx)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
}

// lookupPlan is SQLite's plan for the statement FerretDB runs to find a
// document of collection by _id.
func lookupPlan(t *testing.T, file, collection string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var table string
	if err := db.QueryRow(`SELECT table_name FROM _ferretdb_collections WHERE name = ?`, collection).Scan(&table); err != nil {
		t.Fatal(err)
	}
	var id, parent, unused int
	var detail string
	q := fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM %q WHERE _ferretdb_sjson->'$._id' = ?`, table)
	if err := db.QueryRow(q, `"42"`).Scan(&id, &parent, &unused, &detail); err != nil {
		t.Fatal(err)
	}
	return detail
}
