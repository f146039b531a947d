// Package embedded starts the servers that make `assay serve` work on a
// machine with nothing installed: FerretDB (a MongoDB wire-protocol server on
// SQLite) and an S3-compatible endpoint on bolt, both in process and on
// loopback. The application reaches them through the same drivers and code
// paths as a production MongoDB and S3; nothing else in Assay knows they are
// embedded.
package embedded
