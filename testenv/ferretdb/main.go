// Command ferretdb serves the embedded FerretDB in a process of its own, for
// tests: make test builds it without the race detector (see
// testenv.MongoURI).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/assayhq/assay/storage/embedded"
)

func main() {
	dir := flag.String("dir", "", "folder for the SQLite files")
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m, err := embedded.StartMongo(ctx, *dir, *addr, "", nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
	fmt.Println(m.URI)
	<-ctx.Done()
	_ = m.Close()
}
