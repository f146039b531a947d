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
//   - leases (outbox, scheduler) are claimed with FindOneAndUpdate on
//     {lease_until < now} so that several instances never take the same job.
package mongo
