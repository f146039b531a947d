package app

import (
	"fmt"
	"io"
	"path/filepath"
)

// Announce prints where Assay is and what it runs on, for the person who
// just typed `make run`.
func (a *App) Announce(w io.Writer, listen string) {
	c := a.Config
	fmt.Fprintf(w, "\nAssay is running at %s (listening on %s)\n", c.BaseURL, listen)
	if c.EmbeddedMongo() || c.EmbeddedS3() {
		fmt.Fprintf(w, "  data folder:  %s\n", c.DataDir)
	}
	if c.EmbeddedMongo() {
		fmt.Fprintf(w, "  database:     embedded FerretDB (SQLite) in %s, on a private socket: mongosh '%s'\n", filepath.Join(c.DataDir, "db"), a.MongoURI)
	} else {
		fmt.Fprintf(w, "  database:     %s/%s\n", redacted(c.MongoURI), c.MongoDB)
	}
	if c.EmbeddedS3() {
		fmt.Fprintf(w, "  evidence:     embedded S3 endpoint in %s, on a private socket (%s), bucket %s\n", filepath.Join(c.DataDir, "objects"), a.S3Endpoint, c.S3Bucket)
	} else {
		fmt.Fprintf(w, "  evidence:     S3 %s, bucket %s\n", c.S3Endpoint, c.S3Bucket)
	}
	if c.SMTPHost == "" {
		fmt.Fprintf(w, "  mail:         kept in the outbox (no SMTP relay): %s/app/outbox\n", c.BaseURL)
	} else {
		fmt.Fprintf(w, "  mail:         SMTP %s:%d\n", c.SMTPHost, c.SMTPPort)
	}
	for _, line := range a.notices {
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w)
}
