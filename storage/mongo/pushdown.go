package mongo

import (
	"context"
	"sync"

	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
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
