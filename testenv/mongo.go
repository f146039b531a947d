package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/assayhq/assay/storage/embedded"
	storemongo "github.com/assayhq/assay/storage/mongo"
	driver "go.mongodb.org/mongo-driver/mongo"
)

var (
	mongoOnce sync.Once
	mongoURI  string
	mongoErr  error
)

// MongoURI returns the URI of the package's shared embedded FerretDB.
//
// With ASSAY_FERRETDB_BIN set (make test builds it from testenv/ferretdb
// without the race detector) FerretDB runs in its own process: under -race
// its SQLite engine, itself Go, would be instrumented and run several
// times slower without finding anything in Assay's code. Without it,
// FerretDB runs in the test binary.
func MongoURI(t testing.TB) string {
	t.Helper()
	mongoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "assay-test-ferretdb-*")
		if err != nil {
			mongoErr = err
			return
		}
		if bin := os.Getenv("ASSAY_FERRETDB_BIN"); bin != "" {
			mongoURI, mongoErr = startFerretDBProcess(bin, dir)
			return
		}
		var m *embedded.Mongo
		m, mongoErr = embedded.StartMongo(context.Background(), dir, "127.0.0.1:0", "", nil)
		if mongoErr == nil {
			mongoURI = m.URI
		}
	})
	if mongoErr != nil {
		t.Fatalf("embedded FerretDB: %v", mongoErr)
	}
	return mongoURI
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9]+`)

// DBName returns a database name unique to this test.
func DBName(t testing.TB) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := strings.ToLower(unsafeName.ReplaceAllString(t.Name(), "_"))
	if len(name) > 40 {
		name = name[:40]
	}
	return "t_" + name + "_" + hex.EncodeToString(b[:])
}

// Mongo returns a fresh, empty database for this test, dropped when it ends.
func Mongo(t testing.TB) *driver.Database {
	t.Helper()
	uri := MongoURI(t)
	db, err := storemongo.Connect(context.Background(), uri, DBName(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = db.Drop(context.Background())
		_ = db.Client().Disconnect(context.Background())
	})
	return db
}

func startFerretDBProcess(bin, dir string) (string, error) {
	port, err := FreePort()
	if err != nil {
		return "", err
	}
	p := &Process{name: "ferretdb", bin: bin, args: []string{"-dir", dir, "-addr", addr(port)}, ready: "tcp://" + addr(port)}
	if err := p.Start(); err != nil {
		return "", err
	}
	return "mongodb://" + addr(port) + "/", nil
}
