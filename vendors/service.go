package vendors

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/questionnaires"
)

// Store keeps vendors. Save writes one group of fields (a Part) of a vendor
// with a single-document $set, so that an edit of the details and a risk
// recorded by a completed assessment at the same moment never undo each
// other.
type Store interface {
	Insert(ctx context.Context, v *Vendor) error // apperr.ErrConflict when the name is taken
	Get(ctx context.Context, id string) (*Vendor, error)
	Save(ctx context.Context, v *Vendor, p Part) error // apperr.ErrConflict when the new name is taken
	List(ctx context.Context, f Filter) ([]Vendor, int64, error)
	Each(ctx context.Context, f Filter, fn func(*Vendor) error) error
	// SetOverdue flags exactly the vendors in ids as overdue.
	SetOverdue(ctx context.Context, ids []string) error
}

// Part names a group of vendor fields written together.
type Part int

const (
	PartDetails Part = iota // name, website, services, owner, contacts, tags, tier
	PartStatus              // active or archived
	PartIntake              // intake answers and the tier computed from them
	PartRisk                // current risk and score history
)

// Staff is a staff user who may own vendors.
type Staff struct {
	ID    string
	Email string
	Name  string
}

// Directory finds staff users, to name vendor owners.
type Directory interface {
	StaffByIDs(ctx context.Context, ids []string) (map[string]Staff, error)
	StaffByEmail(ctx context.Context, email string) (*Staff, error) // apperr.ErrNotFound when unknown
	ListStaff(ctx context.Context) ([]Staff, error)
}

// TemplateSource gives the latest published version of a questionnaire.
type TemplateSource interface {
	Latest(ctx context.Context, key string) (*questionnaires.Template, error)
}

// Deps is what the service needs.
type Deps struct {
	Store     Store
	Staff     Directory
	Templates TemplateSource
	Audit     audit.Recorder
	Now       func() time.Time
	Log       *slog.Logger
}

// Service is the vendor register.
type Service struct{ d Deps }

// NewService returns the register.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{d: d}
}

// Filter selects vendors for a list.
type Filter struct {
	Q       string   // part of the name, any case
	Tier    int      // 0: any
	Risk    string   // residual risk level; "none" for vendors never assessed
	Overdue bool     // only vendors with an open assessment past due
	Status  Status   // "" means active; StatusAll lists both
	Tags    []string // vendors holding every tag
	Sort    string   // a key of SortKeys, "-" in front for descending
	Page    int
	Per     int
	IDs     []string // restrict to these vendors (bulk send)
}

// StatusAll lists active and archived vendors together.
const StatusAll Status = "all"

// SortKeys are the columns a list may be sorted by.
var SortKeys = []string{"name", "tier", "risk", "score", "next_review", "updated"}

// Normalize makes a filter from user input safe to pass to a store.
func (f *Filter) Normalize() {
	f.Q = strings.ToLower(strings.TrimSpace(f.Q))
	if len(f.Q) > MaxNameLen {
		f.Q = f.Q[:MaxNameLen]
	}
	if f.Tier < 0 || f.Tier > 4 {
		f.Tier = 0
	}
	if f.Risk != "none" && RiskRank(f.Risk) == 0 {
		f.Risk = ""
	}
	if f.Status != StatusActive && f.Status != StatusArchived && f.Status != StatusAll {
		f.Status = StatusActive
	}
	f.Tags = NormalizeTags(f.Tags)
	key := strings.TrimPrefix(f.Sort, "-")
	valid := false
	for _, k := range SortKeys {
		valid = valid || k == key
	}
	if !valid {
		f.Sort = "name"
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if f.Per < 1 || f.Per > 200 {
		f.Per = 50
	}
}

// Create adds a vendor.
func (s *Service) Create(ctx context.Context, actor audit.Actor, in Input) (*Vendor, error) {
	owner, err := s.check(ctx, &in)
	if err != nil {
		return nil, err
	}
	now := s.d.Now().UTC()
	v := &Vendor{
		ID: newID(), Status: StatusActive, TierSource: TierManual,
		ScoreHistory: []ScorePoint{}, CreatedAt: now, UpdatedAt: now,
	}
	apply(v, in, owner)
	if err := s.d.Store.Insert(ctx, v); err != nil {
		return nil, nameTaken(err, v.Name)
	}
	s.record(ctx, actor, "vendor.create", v.ID, nil, summary(v), "")
	return v, nil
}

// Update changes a vendor's details. A tier changed here becomes a manual
// tier, overriding one computed from the intake.
func (s *Service) Update(ctx context.Context, actor audit.Actor, id string, in Input) (*Vendor, error) {
	owner, err := s.check(ctx, &in)
	if err != nil {
		return nil, err
	}
	v, err := s.d.Store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	before := summary(v)
	if in.Tier != v.Tier {
		v.TierSource = TierManual
	}
	apply(v, in, owner)
	if err := s.save(ctx, v, PartDetails); err != nil {
		return nil, nameTaken(err, v.Name)
	}
	s.record(ctx, actor, "vendor.update", v.ID, before, summary(v), "")
	return v, nil
}

// Archive takes a vendor out of use; its history stays.
func (s *Service) Archive(ctx context.Context, actor audit.Actor, id string) error {
	return s.setStatus(ctx, actor, id, StatusArchived, "vendor.archive")
}

// Unarchive puts an archived vendor back in use.
func (s *Service) Unarchive(ctx context.Context, actor audit.Actor, id string) error {
	return s.setStatus(ctx, actor, id, StatusActive, "vendor.unarchive")
}

func (s *Service) setStatus(ctx context.Context, actor audit.Actor, id string, st Status, action string) error {
	v, err := s.d.Store.Get(ctx, id)
	if err != nil {
		return err
	}
	if v.Status == st {
		return nil
	}
	before := v.Status
	v.Status = st
	if err := s.save(ctx, v, PartStatus); err != nil {
		return err
	}
	s.record(ctx, actor, action, id, map[string]any{"status": before}, map[string]any{"status": st}, "")
	return nil
}

// Get returns one vendor.
func (s *Service) Get(ctx context.Context, id string) (*Vendor, error) {
	return s.d.Store.Get(ctx, id)
}

// List returns a page of vendors and how many match. Owner names are
// refreshed with one directory query for the whole page.
func (s *Service) List(ctx context.Context, f Filter) ([]Vendor, int64, error) {
	f.Normalize()
	list, total, err := s.d.Store.List(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	var ids []string
	seen := map[string]bool{}
	for _, v := range list {
		if v.OwnerID != "" && !seen[v.OwnerID] {
			seen[v.OwnerID] = true
			ids = append(ids, v.OwnerID)
		}
	}
	if len(ids) > 0 {
		owners, err := s.d.Staff.StaffByIDs(ctx, ids)
		if err != nil {
			return nil, 0, err
		}
		for i := range list {
			if o, ok := owners[list[i].OwnerID]; ok {
				list[i].OwnerName, list[i].OwnerEmail = o.Name, o.Email
			}
		}
	}
	return list, total, nil
}

// Staff lists the users who may own vendors, for the owner picker.
func (s *Service) Staff(ctx context.Context) ([]Staff, error) { return s.d.Staff.ListStaff(ctx) }

// MarkOverdue flags the vendors that have an open assessment past due and
// clears the flag on all others; the reminders scheduler calls it each run.
func (s *Service) MarkOverdue(ctx context.Context, ids []string) error {
	return s.d.Store.SetOverdue(ctx, ids)
}

// check normalizes and validates the input and resolves its owner,
// reporting every problem at once.
func (s *Service) check(ctx context.Context, in *Input) (Staff, error) {
	in.Normalize()
	verr := in.Validate()
	fields := apperr.Fields(verr)
	owner, err := s.owner(ctx, *in)
	if of := apperr.Fields(err); of != nil {
		fields = append(fields, of...)
	} else if err != nil {
		return Staff{}, err
	}
	if len(fields) > 0 {
		return Staff{}, apperr.Invalid("Please correct the vendor details.", fields...)
	}
	return owner, nil
}

// apply copies the input onto v.
func apply(v *Vendor, in Input, owner Staff) {
	v.Name, v.NameLower = in.Name, strings.ToLower(in.Name)
	v.Website, v.Services = in.Website, in.Services
	v.Contacts, v.Tags, v.Tier = in.Contacts, in.Tags, in.Tier
	v.OwnerID, v.OwnerEmail, v.OwnerName = owner.ID, owner.Email, owner.Name
	if v.Contacts == nil {
		v.Contacts = []Contact{}
	}
}

func (s *Service) owner(ctx context.Context, in Input) (Staff, error) {
	switch {
	case in.OwnerID != "":
		m, err := s.d.Staff.StaffByIDs(ctx, []string{in.OwnerID})
		if err != nil {
			return Staff{}, err
		}
		o, ok := m[in.OwnerID]
		if !ok {
			return Staff{}, apperr.Field("owner_id", "Choose an owner from the list of staff users.")
		}
		return o, nil
	case in.OwnerEmail != "" && ValidEmail(in.OwnerEmail):
		o, err := s.d.Staff.StaffByEmail(ctx, in.OwnerEmail)
		if errors.Is(err, apperr.ErrNotFound) {
			return Staff{}, apperr.Field("owner_email", "No active staff user has the email "+in.OwnerEmail+".")
		}
		if err != nil {
			return Staff{}, err
		}
		return *o, nil
	}
	return Staff{}, nil
}

// save writes part of v with a new UpdatedAt.
func (s *Service) save(ctx context.Context, v *Vendor, p Part) error {
	v.UpdatedAt = s.d.Now().UTC()
	return s.d.Store.Save(ctx, v, p)
}

func nameTaken(err error, name string) error {
	if errors.Is(err, apperr.ErrConflict) {
		return apperr.Field("name", fmt.Sprintf("A vendor named %q already exists.", name))
	}
	return err
}

// record appends to the audit trail. A failed audit write is logged, not
// returned: the change is already stored and the user must learn that.
func (s *Service) record(ctx context.Context, actor audit.Actor, action, id string, before, after map[string]any, note string) {
	err := s.d.Audit.Record(ctx, audit.Entry{
		At: s.d.Now().UTC(), Actor: actor, Action: action, ObjectType: "vendor", ObjectID: id,
		Before: before, After: after, Note: note,
	})
	if err != nil {
		s.d.Log.Error("audit", "action", action, "vendor", id, "err", err)
	}
}

// summary is the short before/after of a vendor for the audit trail.
func summary(v *Vendor) map[string]any {
	emails := make([]string, len(v.Contacts))
	for i, c := range v.Contacts {
		emails[i] = c.Email
	}
	return map[string]any{
		"name": v.Name, "website": v.Website, "tier": v.Tier, "tier_source": v.TierSource,
		"owner": v.OwnerEmail, "contacts": emails, "tags": v.Tags, "status": v.Status,
	}
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
