// Package faults holds tests of Assay when something it depends on fails
// while it works: the S3 endpoint stops during an upload, the database
// restarts between two autosaves, the process is told to stop during an
// upload. Each runs against real servers (MinIO, the embedded FerretDB,
// the built binary) and checks what the supplier sees and that nothing is
// lost or half-recorded.
package faults
