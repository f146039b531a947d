package vendors

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/assayhq/assay/apperr"
)

// Limits on what a vendor holds; a register entry is a summary, not a file
// store.
const (
	MaxNameLen     = 200
	MaxServicesLen = 2000
	MaxContacts    = 20
	MaxTags        = 20
	MaxTagLen      = 40
)

// Input is what staff set on a vendor: the create and edit forms, the API
// and each CSV row. The owner is named by id (forms) or email (CSV, API).
type Input struct {
	Name       string    `json:"name"`
	Website    string    `json:"website"`
	Services   string    `json:"services"`
	OwnerID    string    `json:"owner_id"`
	OwnerEmail string    `json:"owner_email"`
	Contacts   []Contact `json:"contacts"`
	Tags       []string  `json:"tags"`
	Tier       int       `json:"tier"`
}

// Normalize trims the input, lower-cases emails and tags, drops empty
// contact rows and duplicate tags.
func (in *Input) Normalize() {
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.Website = strings.TrimSpace(in.Website)
	in.Services = strings.TrimSpace(strings.ReplaceAll(in.Services, "\r\n", "\n"))
	in.OwnerID = strings.TrimSpace(in.OwnerID)
	in.OwnerEmail = strings.ToLower(strings.TrimSpace(in.OwnerEmail))
	contacts := in.Contacts[:0:0]
	for _, c := range in.Contacts {
		c.Name = strings.Join(strings.Fields(c.Name), " ")
		c.Email = strings.ToLower(strings.TrimSpace(c.Email))
		if c.Name != "" || c.Email != "" {
			contacts = append(contacts, c)
		}
	}
	in.Contacts = contacts
	in.Tags = NormalizeTags(in.Tags)
}

// NormalizeTags lower-cases and trims tags and drops empty and repeated ones,
// keeping the first order given.
func NormalizeTags(tags []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.ToLower(strings.Join(strings.Fields(t), " "))
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// Validate checks a normalized input and lists every problem with its
// field path, so a form can show each beside its field.
func (in *Input) Validate() error {
	var fields []apperr.FieldError
	add := func(path, format string, args ...any) {
		fields = append(fields, apperr.FieldError{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case in.Name == "":
		add("name", "Enter the vendor's name.")
	case utf8.RuneCountInString(in.Name) > MaxNameLen:
		add("name", "Use at most %d characters.", MaxNameLen)
	}
	if in.Website != "" && !validWebsite(in.Website) {
		add("website", "Enter a full web address starting with https:// or http://, such as https://example.com.")
	}
	if utf8.RuneCountInString(in.Services) > MaxServicesLen {
		add("services", "Use at most %d characters.", MaxServicesLen)
	}
	if in.Tier < 1 || in.Tier > 4 {
		add("tier", "Choose a tier from 1 (critical) to 4 (low).")
	}
	if in.OwnerEmail != "" && !validEmail(in.OwnerEmail) {
		add("owner_email", "Enter a valid email address, such as name@example.com.")
	}
	if len(in.Contacts) > MaxContacts {
		add("contacts", "Keep at most %d contacts.", MaxContacts)
	}
	for i, c := range in.Contacts {
		switch {
		case c.Email == "":
			add(fmt.Sprintf("contacts[%d].email", i), "Enter the contact's email address.")
		case !validEmail(c.Email):
			add(fmt.Sprintf("contacts[%d].email", i), "Enter a valid email address, such as name@example.com.")
		}
		if utf8.RuneCountInString(c.Name) > MaxNameLen {
			add(fmt.Sprintf("contacts[%d].name", i), "Use at most %d characters.", MaxNameLen)
		}
	}
	if len(in.Tags) > MaxTags {
		add("tags", "Use at most %d tags.", MaxTags)
	}
	for _, t := range in.Tags {
		if utf8.RuneCountInString(t) > MaxTagLen {
			add("tags", "Keep each tag under %d characters.", MaxTagLen+1)
			break
		}
	}
	if len(fields) > 0 {
		return apperr.Invalid("Please correct the vendor details.", fields...)
	}
	return nil
}

// validEmail accepts a bare address (no display name): it is what staff
// type and what mail is sent to.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}

// ValidEmail reports whether s is a bare email address such as
// name@example.com.
func ValidEmail(s string) bool { return validEmail(strings.ToLower(strings.TrimSpace(s))) }

func validWebsite(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}
