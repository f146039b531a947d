package mongo

import (
	"context"
	"maps"
	"sync"

	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// idOnlyServers remembers, per client, whether the server pushes down
// nothing but a bare _id filter (FerretDB v1): asked once per client.
var idOnlyServers sync.Map // *driver.Client → bool

// filtersByIDOnly reports whether db is served by FerretDB, which finds a
// document without decoding the whole collection only when the filter is
// exactly {_id: …} (doc.go). A guarded update such as {_id, status,
// token_hash} then decodes every assessment: 50 ms per autosave with 57
// assessments, seconds with thousands. The answer comes from buildInfo,
// which FerretDB extends with its version; when it cannot be asked, the
// guarded filter, right everywhere, is kept.
func filtersByIDOnly(ctx context.Context, db *driver.Database) bool {
	c := db.Client()
	if v, ok := idOnlyServers.Load(c); ok {
		return v.(bool)
	}
	var info bson.M
	if err := db.RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return false
	}
	_, ferret := info["ferretdbVersion"]
	idOnlyServers.Store(c, ferret)
	return ferret
}

// guardedFilter is the filter for an update of document id that must still
// match guard, conditions on fields other than _id. MongoDB gets the guard
// in the filter. On FerretDB (idOnly) such a filter would decode the whole
// collection, and its updates are read-modify-write whatever the filter,
// so the document is read by _id into cur, holds checks the guard on it,
// and the filter is the bare _id; callers serialize their own writers of
// one document. held is false when the document is gone or the guard no
// longer holds: the caller then updates nothing.
func guardedFilter(ctx context.Context, c *driver.Collection, idOnly bool, id string, guard bson.M, cur any, holds func() bool) (filter bson.M, held bool, err error) {
	filter = bson.M{"_id": id}
	if !idOnly || len(guard) == 0 {
		maps.Copy(filter, guard)
		return filter, true, nil
	}
	// Only the guarded fields come back: FerretDB still decodes the whole
	// document, but no longer encodes and sends it.
	only := make(bson.M, len(guard))
	for k := range guard {
		only[k] = 1
	}
	err = c.FindOne(ctx, filter, options.FindOne().SetProjection(only)).Decode(cur)
	if IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return filter, holds(), nil
}
