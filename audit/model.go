// Package audit is the append-only trail of every state change in Assay:
// who did what to which object, when, from where, and what changed.
package audit

import (
	"context"
	"time"
)

// Actor is whoever caused a change: a staff user, a supplier holding a
// link, or Assay itself (schedulers, workers).
type Actor struct {
	Kind  string `bson:"kind" json:"kind"` // staff, supplier, system
	ID    string `bson:"id,omitempty" json:"id,omitempty"`
	Email string `bson:"email,omitempty" json:"email,omitempty"`
	IP    string `bson:"ip,omitempty" json:"ip,omitempty"`
}

// Actor kinds.
const (
	KindStaff    = "staff"
	KindSupplier = "supplier"
	KindSystem   = "system"
	// KindAnonymous is someone not signed in, such as a failed login
	// (Email then holds the address they tried).
	KindAnonymous = "anonymous"
)

// System is the actor of scheduled and background work.
var System = Actor{Kind: KindSystem, ID: "assay"}

// Entry is one audit record. Before and After hold a short summary of the
// fields that changed, not whole documents.
type Entry struct {
	ID         string         `bson:"_id" json:"id"`
	At         time.Time      `bson:"at" json:"at"`
	Actor      Actor          `bson:"actor" json:"actor"`
	Action     string         `bson:"action" json:"action"`           // e.g. vendor.create, assessment.submit, login.failed
	ObjectType string         `bson:"object_type" json:"object_type"` // vendor, assessment, user, template, evidence, session
	ObjectID   string         `bson:"object_id,omitempty" json:"object_id,omitempty"`
	Before     map[string]any `bson:"before,omitempty" json:"before,omitempty"`
	After      map[string]any `bson:"after,omitempty" json:"after,omitempty"`
	Note       string         `bson:"note,omitempty" json:"note,omitempty"`
}

// Recorder appends entries. Domain services call it after each change.
type Recorder interface {
	Record(ctx context.Context, e Entry) error
}
