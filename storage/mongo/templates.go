package mongo

import (
	"context"
	"fmt"
	"time"

	"github.com/assayhq/assay/library"
	"github.com/assayhq/assay/questionnaires"
	"go.mongodb.org/mongo-driver/bson"
	driver "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Templates implements library.Store on the "templates" collection: one
// document per published version, never updated.
type Templates struct{ c *driver.Collection }

// NewTemplates returns the template library store.
func NewTemplates(db *driver.Database) *Templates {
	return &Templates{c: db.Collection("templates")}
}

// TemplateIndexes make (key, version) unique, which is what lets two
// instances publish at once without both taking the same version; the same
// index serves every lookup, all of which name the key.
var TemplateIndexes = []Index{
	{Collection: "templates", Keys: bson.D{{Key: "key", Value: 1}, {Key: "version", Value: -1}}, Unique: true},
}

type templateDoc struct {
	ID            string                   `bson:"_id"` // key@version: the primary key backs the unique index
	Key           string                   `bson:"key"`
	Version       int                      `bson:"version"`
	Title         string                   `bson:"title"`
	QuestionCount int                      `bson:"question_count"`
	Controls      []string                 `bson:"controls"`
	Builtin       bool                     `bson:"builtin"`
	Fingerprint   string                   `bson:"fingerprint"`
	PublishedAt   time.Time                `bson:"published_at"`
	PublishedBy   string                   `bson:"published_by"`
	Template      *questionnaires.Template `bson:"template,omitempty"`
}

func (d *templateDoc) summary() library.Summary {
	return library.Summary{
		Key: d.Key, Version: d.Version, Title: d.Title, QuestionCount: d.QuestionCount,
		Controls: d.Controls, Builtin: d.Builtin, PublishedAt: d.PublishedAt,
		PublishedBy: d.PublishedBy, Fingerprint: d.Fingerprint,
	}
}

// withoutTemplate leaves the questions out of list queries: the full
// ISO 27001 template alone is some hundred kilobytes.
var withoutTemplate = bson.M{"template": 0}

// Insert stores a new version.
func (s *Templates) Insert(ctx context.Context, p *library.Published) error {
	doc := templateDoc{
		ID: fmt.Sprintf("%s@%d", p.Key, p.Version), Key: p.Key, Version: p.Version, Title: p.Title,
		QuestionCount: p.QuestionCount, Controls: p.Controls, Builtin: p.Builtin,
		Fingerprint: p.Fingerprint, PublishedAt: p.PublishedAt, PublishedBy: p.PublishedBy,
		Template: p.Template,
	}
	if _, err := s.c.InsertOne(ctx, doc); err != nil {
		if IsDuplicate(err) {
			return fmt.Errorf("template %s version %d: %w", p.Key, p.Version, library.ErrVersionTaken)
		}
		return fmt.Errorf("template insert: %w", err)
	}
	return nil
}

// Latest returns the highest version of key.
func (s *Templates) Latest(ctx context.Context, key string, builtinOnly bool) (*library.Published, error) {
	filter := bson.M{"key": key}
	if builtinOnly {
		filter["builtin"] = true
	}
	opts := options.FindOne().SetSort(bson.D{{Key: "version", Value: -1}})
	return s.findOne(ctx, filter, opts)
}

// Get returns one version.
func (s *Templates) Get(ctx context.Context, key string, version int) (*library.Published, error) {
	return s.findOne(ctx, bson.M{"key": key, "version": version})
}

func (s *Templates) findOne(ctx context.Context, filter bson.M, opts ...*options.FindOneOptions) (*library.Published, error) {
	var d templateDoc
	err := s.c.FindOne(ctx, filter, opts...).Decode(&d)
	if IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("template find: %w", err)
	}
	return &library.Published{Summary: d.summary(), Template: d.Template}, nil
}

// Versions lists the versions of key, newest first.
func (s *Templates) Versions(ctx context.Context, key string) ([]library.Summary, error) {
	return s.summaries(ctx, bson.M{"key": key})
}

// List returns the latest version of every key. Grouping by key would need
// $max, which FerretDB lacks, so the newest of each key is picked in Go
// from one sorted query over the summaries: a library holds tens of
// versions, not millions.
func (s *Templates) List(ctx context.Context) ([]library.Summary, error) {
	all, err := s.summaries(ctx, bson.M{})
	if err != nil {
		return nil, err
	}
	var out []library.Summary
	for _, sum := range all {
		if n := len(out); n == 0 || out[n-1].Key != sum.Key {
			out = append(out, sum)
		}
	}
	return out, nil
}

// summaries finds versions sorted by key, newest first within a key.
func (s *Templates) summaries(ctx context.Context, filter bson.M) ([]library.Summary, error) {
	opts := options.Find().SetProjection(withoutTemplate).
		SetSort(bson.D{{Key: "key", Value: 1}, {Key: "version", Value: -1}})
	cur, err := s.c.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("template list: %w", err)
	}
	var docs []templateDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("template list: %w", err)
	}
	out := make([]library.Summary, len(docs))
	for i := range docs {
		out[i] = docs[i].summary()
	}
	return out, nil
}
