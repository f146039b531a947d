package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Mongo is a running FerretDB.
type Mongo struct {
	URI     string
	sockDir string // the private folder of its Unix socket, if it has one
	cancel  context.CancelFunc
	done    chan error
	indexed chan struct{} // closed when indexLoop has stopped
	log     *slog.Logger
}

// Sync is how the embedded database flushes its writes to disk.
type Sync string

const (
	// SyncNormal (the default) acknowledges a write once it is in
	// SQLite's write-ahead log: a crash or kill of the process loses
	// nothing, a power cut or an operating system crash may lose the last
	// writes, never the database. It is a standalone MongoDB's default
	// (journal flushed every 100 ms), and autosave is 1.6 times as fast as
	// with SyncFull (cmd/loadgen at 64 clients: 108 → 170 requests/s).
	SyncNormal Sync = "normal"
	// SyncFull flushes every write to disk before acknowledging it.
	SyncFull Sync = "full"
)

// StartMongo runs FerretDB with its SQLite files in dir, flushing writes
// as sync says (empty is SyncNormal), and listening on addr (127.0.0.1:0
// picks a free port) or, when addr is empty, on a Unix socket in a folder
// only this user can open. It returns once the server accepts connections.
//
// The socket is what Assay itself uses: FerretDB asks no password, and any
// local user can connect to a loopback port; and each command, a round
// trip through the kernel, costs less over a Unix socket than over TCP.
func StartMongo(ctx context.Context, dir, addr string, sync Sync, logger *slog.Logger) (*Mongo, error) {
	switch sync {
	case "":
		sync = SyncNormal
	case SyncNormal, SyncFull:
	default:
		return nil, fmt.Errorf("embedded database: unknown sync mode %q: want normal or full", sync)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("embedded database folder: %w", err)
	}
	// FerretDB's SQLite backend does not create its folder, and fails late
	// with an unhelpful error when it cannot write there.
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("embedded database folder %s: %w", abs, err)
	}
	if err := checkWritable(abs); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	listener := ferretdb.ListenerConfig{TCP: addr}
	var sockDir, sock string
	if addr == "" {
		if sockDir, err = privateSocketDir(); err != nil {
			return nil, fmt.Errorf("embedded database socket: %w", err)
		}
		sock = filepath.Join(sockDir, "mongo.sock")
		listener = ferretdb.ListenerConfig{Unix: sock}
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  listener,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/?_pragma=synchronous(" + string(sync) + ")",
		// FerretDB logs every wire error at its default level; keep only
		// what an operator needs.
		Logger: logger,
	})
	if err != nil {
		removeSockDir(sockDir)
		return nil, fmt.Errorf("embedded database: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	m := &Mongo{sockDir: sockDir, cancel: cancel, done: make(chan error, 1), indexed: make(chan struct{}), log: logger}
	fail := func(err error) (*Mongo, error) {
		cancel()
		removeSockDir(sockDir)
		return nil, err
	}
	go func() { m.done <- f.Run(runCtx) }()

	// MongoDBURI blocks until the listener is up; guard it so a listener that
	// never comes up (port taken) fails instead of hanging.
	uri := make(chan string, 1)
	go func() { uri <- f.MongoDBURI() }()
	select {
	case m.URI = <-uri:
		// SQLite takes one writer at a time and parks the others in a busy
		// handler that sleeps up to 100 ms a try; a few connections queue
		// them in the driver instead. Measured with cmd/loadgen at 64
		// clients: autosave 60 → 76 requests/s, p99 2.2 → 1.3 s.
		m.URI = strings.TrimSuffix(m.URI, "/") + "/?maxPoolSize=4"
		if sock != "" {
			// The driver wants the socket's path escaped as the host.
			m.URI = "mongodb://" + url.PathEscape(sock) + "/?maxPoolSize=4"
		}
	case err := <-m.done:
		return fail(fmt.Errorf("embedded database did not start: %w", err))
	case <-ctx.Done():
		return fail(fmt.Errorf("embedded database did not start: %w", ctx.Err()))
	case <-time.After(30 * time.Second):
		return fail(errors.New("embedded database did not start within 30s"))
	}
	go m.indexLoop(runCtx, abs)
	return m, nil
}

// Close stops the server and waits for it to release its files.
func (m *Mongo) Close() error {
	m.cancel()
	defer removeSockDir(m.sockDir)
	<-m.indexed
	select {
	case err := <-m.done:
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	case <-time.After(10 * time.Second):
		return errors.New("embedded database did not stop within 10s")
	}
	return nil
}

// privateSocketDir makes a folder for a Unix socket that only this user
// can open. It is in the temporary folder, not the data folder: a socket's
// path must fit in 108 bytes.
func privateSocketDir() (string, error) {
	return os.MkdirTemp("", "assay-sock-")
}

func removeSockDir(dir string) {
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
}

func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("data folder %s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
