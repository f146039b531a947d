package mongo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/readpref"
)

// Connect opens a client and pings the server, so an unreachable or
// misconfigured database fails here with its address, not on first use.
func Connect(ctx context.Context, uri, dbName string) (*driver.Database, error) {
	opts := options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(10 * time.Second).
		SetConnectTimeout(5 * time.Second).
		SetAppName("assay")
	client, err := driver.Connect(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", Redact(uri), err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 12*time.Second)
	defer cancel()
	if err := client.Ping(pingCtx, readpref.Primary()); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("database %s is unreachable: %w", Redact(uri), err)
	}
	return client.Database(dbName), nil
}

// Ping checks the database answers, for readiness probes.
func Ping(ctx context.Context, db *driver.Database) error {
	return db.RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err()
}

// IsDuplicate reports a unique-index violation, which callers turn into a
// conflict.
func IsDuplicate(err error) bool {
	return driver.IsDuplicateKeyError(err)
}

// IsNotFound reports that a single-document read matched nothing.
func IsNotFound(err error) bool {
	return errors.Is(err, driver.ErrNoDocuments)
}

// Index is one index a store needs; EnsureIndexes creates them all at start.
type Index struct {
	Collection string
	Keys       bson.D
	Unique     bool
	// Sparse leaves documents without the key out, so a unique index can
	// apply only to documents that have it.
	Sparse bool
}

// EnsureIndexes creates the indexes idempotently: creating an index that
// exists with the same options is a no-op on MongoDB and FerretDB.
//
// On FerretDB only the unique indexes are made, for the rules they keep:
// it answers every query but a bare _id lookup by decoding the collection
// (filtersByIDOnly), so SQLite never reads the others, while every write
// kept each of them up to date by parsing the document's JSON again. Ones
// an earlier version made there are dropped.
func EnsureIndexes(ctx context.Context, db *driver.Database, idx []Index) error {
	byColl := map[string][]driver.IndexModel{}
	var order []string
	ferret := filtersByIDOnly(ctx, db)
	existing := map[string]map[string]bool{} // collection → index names, on FerretDB
	colls := map[string]bool{}
	if ferret {
		// Listing the indexes of a collection not made yet fails, and
		// FerretDB logs each such failure as a warning of many lines.
		names, err := db.ListCollectionNames(ctx, bson.D{})
		if err != nil {
			return fmt.Errorf("listing collections: %w", err)
		}
		for _, n := range names {
			colls[n] = true
		}
	}
	for _, ix := range idx {
		if ferret && !ix.Unique {
			if !colls[ix.Collection] {
				continue // no collection, no index to drop
			}
			if err := dropIfThere(ctx, db.Collection(ix.Collection), indexName(ix.Keys), existing); err != nil {
				return fmt.Errorf("dropping an index FerretDB cannot use on %s: %w", ix.Collection, err)
			}
			continue
		}
		o := options.Index()
		if ix.Unique {
			o.SetUnique(true)
		}
		if ix.Sparse {
			o.SetSparse(true)
		}
		if _, ok := byColl[ix.Collection]; !ok {
			order = append(order, ix.Collection)
		}
		byColl[ix.Collection] = append(byColl[ix.Collection], driver.IndexModel{Keys: ix.Keys, Options: o})
	}
	for _, coll := range order {
		// One at a time: FerretDB v1.24 panics (and drops the connection)
		// when createIndexes names several indexes that already exist, so a
		// batch would fail every start after the first.
		for _, m := range byColl[coll] {
			if _, err := db.Collection(coll).Indexes().CreateOne(ctx, m); err != nil {
				return fmt.Errorf("indexes on %s: %w", coll, err)
			}
		}
	}
	return nil
}

// indexName is the name MongoDB and the driver give an index of keys.
func indexName(keys bson.D) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s_%v", k.Key, k.Value)
	}
	return strings.Join(parts, "_")
}

// dropIfThere drops index name of c if c has it, listing c's indexes once
// into known: asking FerretDB to drop a missing index makes it log the
// whole exchange as a warning, on every start.
func dropIfThere(ctx context.Context, c *driver.Collection, name string, known map[string]map[string]bool) error {
	names, ok := known[c.Name()]
	if !ok {
		names = map[string]bool{}
		specs, err := c.Indexes().ListSpecifications(ctx)
		if err != nil && !isNamespaceNotFound(err) {
			return err
		}
		for _, sp := range specs {
			names[sp.Name] = true
		}
		known[c.Name()] = names
	}
	if !names[name] {
		return nil
	}
	_, err := c.Indexes().DropOne(ctx, name)
	return err
}

// isNamespaceNotFound reports a collection that does not exist yet.
func isNamespaceNotFound(err error) bool {
	var ce driver.CommandError
	return errors.As(err, &ce) && ce.Code == 26
}

// Redact drops the password from a URI before it is logged or shown.
func Redact(uri string) string {
	opts := options.Client().ApplyURI(uri)
	if opts.Auth != nil && opts.Auth.Password != "" {
		return "mongodb://***@" + strings.Join(opts.Hosts, ",")
	}
	return uri
}
