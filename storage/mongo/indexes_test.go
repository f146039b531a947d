package mongo_test

import (
	"context"
	"slices"
	"testing"

	storemongo "github.com/assayhq/assay/storage/mongo"
	"github.com/assayhq/assay/testenv"
	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
)

// On FerretDB only the unique indexes are made, one an earlier version
// made that FerretDB cannot use is dropped, the unique rule still holds,
// and a second start changes nothing.
func TestEnsureIndexesOnFerretDBKeepsOnlyUniqueOnes(t *testing.T) {
	db := testenv.Mongo(t)
	ctx := context.Background()
	c := db.Collection("things")
	older := []storemongo.Index{{Collection: "things", Keys: bson.D{{Key: "status", Value: 1}, {Key: "due", Value: -1}}}}
	// As an earlier version left it: the non-unique index is there.
	if _, err := c.InsertOne(ctx, bson.M{"_id": "a", "name": "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Indexes().CreateOne(ctx, driver.IndexModel{Keys: older[0].Keys}); err != nil {
		t.Fatal(err)
	}
	want := append([]storemongo.Index{{Collection: "things", Keys: bson.D{{Key: "name", Value: 1}}, Unique: true},
		{Collection: "not_written_yet", Keys: bson.D{{Key: "at", Value: 1}}}}, older...)
	for range 2 {
		if err := storemongo.EnsureIndexes(ctx, db, want); err != nil {
			t.Fatal(err)
		}
		var names []string
		cur, err := c.Indexes().List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var specs []bson.M
		if err := cur.All(ctx, &specs); err != nil {
			t.Fatal(err)
		}
		for _, s := range specs {
			names = append(names, s["name"].(string))
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"_id_", "name_1"}) {
			t.Fatalf("indexes %v, want the _id and the unique one only", names)
		}
	}
	if _, err := c.InsertOne(ctx, bson.M{"_id": "b", "name": "x"}); !storemongo.IsDuplicate(err) {
		t.Fatalf("a second document with the same name: %v, want a duplicate key error", err)
	}
}
