package apptest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/testenv"
	"github.com/assayhq/assay/vendors"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Sent is a questionnaire sent to a vendor, with the token of the link the
// supplier was mailed.
type Sent struct {
	ID, VendorID, Token string
}

// Path is the supplier's portal path.
func (s Sent) Path() string { return "/q/" + s.Token }

// Send sends req's questionnaire through the service as staff would,
// first creating vendor v when req names no vendor; a zero due date is two
// weeks away. The token comes from the invitation in the outbox, as the
// supplier gets it.
func (e *Env) Send(t testing.TB, v vendors.Input, req assessments.SendRequest) Sent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if req.VendorID == "" {
		created, err := e.App.Vendors.Create(ctx, audit.System, v)
		if err != nil {
			t.Fatalf("creating vendor %q: %v", v.Name, err)
		}
		req.VendorID = created.ID
	}
	if req.DueDate.IsZero() {
		req.DueDate = time.Now().AddDate(0, 0, 14)
	}
	a, err := e.App.Assessments.Send(ctx, audit.System, req)
	if err != nil {
		t.Fatalf("sending %s: %v", req.TemplateKey, err)
	}
	return Sent{ID: a.ID, VendorID: req.VendorID, Token: e.InvitationToken(t, a.ID)}
}

// Vendor is the input of a vendor of tier with one contact whose address
// is made from the name.
func Vendor(name string, tier int) vendors.Input {
	domain := strings.ToLower(strings.ReplaceAll(name, " ", "")) + ".test"
	return vendors.Input{Name: name, Tier: tier, Contacts: []vendors.Contact{{Name: "Sam Supplier", Email: "sam@" + domain}}}
}

// InvitationToken returns the token of the link in the newest invitation
// of assessment id in the outbox.
func (e *Env) InvitationToken(t testing.TB, id string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var doc struct {
		Text string `bson:"text"`
	}
	err := e.App.DB.Collection("outbox").FindOne(ctx, bson.M{"ref": id, "kind": assessments.MailInvitation},
		options.FindOne().SetSort(bson.D{{Key: "created_at", Value: -1}})).Decode(&doc)
	if err != nil {
		t.Fatalf("no invitation for %s: %v", id, err)
	}
	return e.LinkToken(t, doc.Text)
}

// LinkToken returns the token of the supplier link in a mail's text.
func (e *Env) LinkToken(t testing.TB, text string) string {
	t.Helper()
	link, err := testenv.LinkIn(text, e.URL+"/q/")
	if err != nil {
		t.Fatalf("%v:\n%s", err, text)
	}
	return strings.TrimPrefix(link, e.URL+"/q/")
}
