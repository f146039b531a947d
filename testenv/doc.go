// Package testenv starts real servers for tests: the embedded FerretDB for
// the MongoDB protocol, a MinIO server for S3 and a mailpit server for SMTP.
// Each test gets a fresh database, bucket and mailbox address in one line:
//
//	db := testenv.Mongo(t)
//	store := testenv.Blobs(t)
//	box := testenv.Mailpit(t)
//
// The servers are shared by the tests of one package binary and started on
// first use on free loopback ports in a temporary folder; child processes
// die with the test binary. MinIO and mailpit are found through
// ASSAY_MINIO_BIN / ASSAY_MAILPIT_BIN, then ASSAY_TOOLS_BIN (default
// ~/.cache/assay/bin, where `make tools` installs them), then PATH. A
// missing binary fails the test: CI must not pass by skipping.
package testenv
