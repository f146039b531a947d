// Package mail is Assay's outgoing mail: every message is a document in the
// outbox first, then a worker sends it through SMTP with retries. With no
// SMTP relay configured messages stay in the outbox, where staff read them.
package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
)

// Status of a message in the outbox.
type Status string

const (
	StatusQueued   Status = "queued"   // waiting for the worker
	StatusSent     Status = "sent"     // accepted by the SMTP relay
	StatusFailed   Status = "failed"   // gave up after the last try
	StatusCaptured Status = "captured" // no relay configured: kept for reading
)

// Message is one outgoing mail.
type Message struct {
	ID        string   `bson:"_id" json:"id"`
	MessageID string   `bson:"message_id" json:"message_id"`
	To        []string `bson:"to" json:"to"`
	Subject   string   `bson:"subject" json:"subject"`
	Text      string   `bson:"text" json:"text"`
	HTML      string   `bson:"html,omitempty" json:"html,omitempty"`
	Kind      string   `bson:"kind" json:"kind"`                   // invitation, reminder, password_reset, …
	Ref       string   `bson:"ref,omitempty" json:"ref,omitempty"` // the object it is about, e.g. an assessment id
	// DedupeKey, when set, is unique in the outbox: a scheduler running on
	// several instances enqueues one reminder, not one per instance.
	DedupeKey   string    `bson:"dedupe_key,omitempty" json:"-"`
	Status      Status    `bson:"status" json:"status"`
	Attempts    int       `bson:"attempts" json:"attempts"`
	NextAttempt time.Time `bson:"next_attempt" json:"next_attempt"`
	LeaseUntil  time.Time `bson:"lease_until" json:"-"`
	LeaseOwner  string    `bson:"lease_owner,omitempty" json:"-"`
	LastError   string    `bson:"last_error,omitempty" json:"last_error,omitempty"`
	CreatedAt   time.Time `bson:"created_at" json:"created_at"`
	SentAt      time.Time `bson:"sent_at,omitempty" json:"sent_at,omitzero"`
}

// ErrDuplicate is returned by Store.Insert for a DedupeKey already used.
var ErrDuplicate = errors.New("message already queued")

// Store keeps the outbox. Claim must be atomic across processes: a message
// is leased to one worker until its lease runs out.
type Store interface {
	Insert(ctx context.Context, m *Message) error
	Claim(ctx context.Context, owner string, now time.Time, lease time.Duration) (*Message, error) // nil, nil when none is due
	MarkSent(ctx context.Context, id, owner string, at time.Time) error
	MarkRetry(ctx context.Context, id, owner string, next time.Time, lastErr string, failed bool) error
	Requeue(ctx context.Context, id string, now time.Time) error
	// SweepClaims deletes the workers' claim records made before before.
	SweepClaims(ctx context.Context, before time.Time) (int64, error)
	Get(ctx context.Context, id string) (*Message, error)
	List(ctx context.Context, f Filter) ([]Message, int64, error)
}

// Filter selects messages for the outbox page.
type Filter struct {
	Status Status
	To     string
	Ref    string
	Refs   []string // any of these objects, for the mails of several assessments at once
	Kind   string
	Page   int
	Per    int
}

// Transport delivers one message; SMTP in production.
type Transport interface {
	Send(ctx context.Context, from string, m *Message) error
}

// Outbox enqueues messages and runs the worker that sends them.
type Outbox struct {
	store     Store
	transport Transport // nil: keep messages as captured
	from      string
	log       *slog.Logger
	now       func() time.Time
	owner     string

	MaxAttempts int
	Backoff     time.Duration // first retry delay; doubles each try
	Lease       time.Duration
	Poll        time.Duration
}

// NewOutbox returns an outbox; transport nil means no relay is configured.
func NewOutbox(store Store, transport Transport, from string, log *slog.Logger) *Outbox {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &Outbox{
		store: store, transport: transport, from: from, log: log, now: time.Now,
		owner:       hex.EncodeToString(b[:]),
		MaxAttempts: 6, Backoff: 30 * time.Second, Lease: 2 * time.Minute, Poll: 2 * time.Second,
	}
}

// SetClock injects time, for tests.
func (o *Outbox) SetClock(now func() time.Time) { o.now = now }

// Relay reports whether a relay is configured.
func (o *Outbox) Relay() bool { return o.transport != nil }

// Enqueue validates and stores m. It returns ErrDuplicate when m.DedupeKey
// was already used, which callers that schedule treat as done.
func (o *Outbox) Enqueue(ctx context.Context, m Message) (*Message, error) {
	if len(m.To) == 0 {
		return nil, errors.New("mail: no recipient")
	}
	for _, to := range m.To {
		if _, err := mail.ParseAddress(to); err != nil {
			return nil, fmt.Errorf("mail: recipient %q: %w", to, err)
		}
	}
	if strings.TrimSpace(m.Subject) == "" || m.Text == "" {
		return nil, errors.New("mail: subject and text are required")
	}
	now := o.now().UTC()
	m.ID = newID()
	m.MessageID = "<" + m.ID + "@assay>"
	m.CreatedAt = now
	m.NextAttempt = now
	m.Status = StatusQueued
	if o.transport == nil {
		m.Status = StatusCaptured
	}
	if err := o.store.Insert(ctx, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// List returns a page of messages, newest first, for the outbox page and
// the history of one assessment.
func (o *Outbox) List(ctx context.Context, f Filter) ([]Message, int64, error) {
	return o.store.List(ctx, f)
}

// Get returns one message.
func (o *Outbox) Get(ctx context.Context, id string) (*Message, error) { return o.store.Get(ctx, id) }

// Retry puts a failed message back in the queue.
func (o *Outbox) Retry(ctx context.Context, id string) error {
	return o.store.Requeue(ctx, id, o.now().UTC())
}

// Run sends due messages until ctx ends. Several instances may run it at
// once: each message is leased to one of them.
func (o *Outbox) Run(ctx context.Context) {
	if o.transport == nil {
		return
	}
	t := time.NewTicker(o.Poll)
	defer t.Stop()
	var swept time.Time
	for {
		for o.SendDue(ctx) {
		}
		if now := o.now(); now.Sub(swept) > time.Hour {
			swept = now
			o.sweepClaims(ctx, now)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SendDue claims and sends one due message; it reports whether there was
// one, so callers drain the queue in a loop.
func (o *Outbox) SendDue(ctx context.Context) bool {
	now := o.now().UTC()
	m, err := o.store.Claim(ctx, o.owner, now, o.Lease)
	if err != nil {
		if ctx.Err() == nil {
			o.log.Warn("outbox claim", "err", err)
		}
		return false
	}
	if m == nil {
		return false
	}
	sendCtx, cancel := context.WithTimeout(ctx, o.Lease/2)
	err = o.transport.Send(sendCtx, o.from, m)
	cancel()
	if err == nil {
		if err := o.store.MarkSent(ctx, m.ID, o.owner, o.now().UTC()); err != nil {
			o.log.Error("outbox mark sent", "id", m.ID, "err", err)
		}
		o.log.Info("mail sent", "id", m.ID, "kind", m.Kind, "to", m.To)
		return true
	}
	attempts := m.Attempts + 1
	failed := attempts >= o.MaxAttempts
	next := now.Add(o.Backoff << (attempts - 1))
	o.log.Warn("mail not sent", "id", m.ID, "attempt", attempts, "final", failed, "err", err)
	if err := o.store.MarkRetry(ctx, m.ID, o.owner, next, err.Error(), failed); err != nil {
		o.log.Error("outbox mark retry", "id", m.ID, "err", err)
	}
	return true
}

// claimsKept is how long a worker's claim record is kept. A claim is
// read-then-insert within one poll, so a day is far beyond any worker that
// could still race for the state it names.
const claimsKept = 24 * time.Hour

// sweepClaims keeps the claim records from growing by one per mail forever.
func (o *Outbox) sweepClaims(ctx context.Context, now time.Time) {
	n, err := o.store.SweepClaims(ctx, now.Add(-claimsKept))
	if err != nil {
		if ctx.Err() == nil {
			o.log.Warn("outbox claim sweep", "err", err)
		}
		return
	}
	if n > 0 {
		o.log.Info("outbox claims swept", "deleted", n)
	}
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
