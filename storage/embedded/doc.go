// Package embedded starts the servers that make `assay serve` work on a
// machine with nothing installed: FerretDB (a MongoDB wire-protocol server on
// SQLite) and an S3-compatible endpoint on bolt, both in process and each on
// a Unix socket in a folder only its user can open: neither asks for a
// password, and any local user can reach a loopback port. The application
// reaches them through the same drivers and code paths as a production
// MongoDB and S3 (minio-go dials the socket instead of a TCP address);
// nothing else in Assay knows they are embedded.
//
// The database's durability is a setting (ASSAY_DB_SYNC, see Sync): by
// default a write is acknowledged once it is in SQLite's write-ahead log,
// which a killed process never loses (TestAcknowledgedWritesSurviveAKilledProcess)
// and only a power cut can, as with a standalone MongoDB's defaults.
package embedded
