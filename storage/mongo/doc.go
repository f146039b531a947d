// Package mongo implements the domain packages' store interfaces on MongoDB
// through the official driver.
//
// The same code must be right on a MongoDB replica set and on the embedded
// FerretDB v1.24 (SQLite), which implements a subset of MongoDB. The rules:
//
//   - no multi-document transactions: every state change is one atomic
//     single-document update (UpdateOne with $set on dotted paths, or
//     FindOneAndUpdate with a filter that states the expected old state);
//   - no $lookup: join in Go with one $in query per page, never a query per row;
//   - no TTL indexes: expiry is a field compared in the filter, and old
//     documents are swept by the application;
//   - no $avg or $max in $group, and only the first $sum of a $group is
//     computed (FerretDB silently returns 0 for the others): one accumulator
//     per $group, or sums in Go;
//   - the embedded FerretDB pushes only _id equality down to SQLite: any
//     other filter decodes every document of the collection (measured here:
//     35 ms for an _id lookup and 820 ms for a lookup on a uniquely indexed
//     field, 1,000 documents of 20 kB). Hot paths look documents up by _id
//     (a supplier link's token hash is the _id of its own small document);
//     secondary indexes still serve MongoDB in production. This holds for
//     the filter of an update too: a guarded update of an assessment checks
//     its guard on a read by _id when the server is FerretDB (detected once
//     through buildInfo) and filters by _id alone, where MongoDB gets the
//     guard in the filter (Assessments.Update, pushdown.go);
//   - FindOneAndUpdate and UpdateOne are NOT atomic on FerretDB: it reads the
//     matching documents, changes them in Go and writes them back by _id, so
//     two callers with the same filter both succeed. The only write it makes
//     atomic is an insert under a unique _id (or unique index): claims that
//     must have one winner insert a document named after the state they saw
//     (see Outbox.Claim), and dedupe keys become _ids;
//   - FerretDB decodes every field of a document on each read and update,
//     so a field holding a subdocument per item costs per item: an
//     assessment's answers are packed into one binary (packedAnswers), and
//     secondary indexes, which FerretDB never reads, are made only where
//     unique (EnsureIndexes), since each write kept them up to date;
//   - every command costs FerretDB a decode of its document and its own
//     per-command work, about as much again: what a request needs together
//     lives in one document. An assessment's evidence records are a field
//     of the assessment (Evidence), read with it by every page and autosave.
package mongo
