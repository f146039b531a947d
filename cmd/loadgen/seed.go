package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"html"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/assayhq/assay/app"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/mail"
	"github.com/assayhq/assay/testenv"
	"github.com/assayhq/assay/vendors"
	"go.mongodb.org/mongo-driver/bson"
)

// Templates of the built-in library the load uses.
const (
	fullISO    = "iso27001-2022-supplier-full"
	vendorLite = "vendor-lite"
)

// link is an assessment sent to a vendor and the token of its link.
type link struct {
	ID, VendorID, Token string
	Contact             string
}

// sendNew registers a vendor and sends it templateKey through the
// assessment service, as procurement's Send button does.
func sendNew(ctx context.Context, a *app.App, name, contact, templateKey string, tier int) (link, error) {
	v, err := a.Vendors.Create(ctx, audit.System, vendors.Input{
		Name: name, Tier: tier, Services: "Load generator vendor",
		Contacts: []vendors.Contact{{Name: "Supplier " + name, Email: contact}},
	})
	if err != nil {
		return link{}, fmt.Errorf("creating vendor %s: %w", name, err)
	}
	as, err := a.Assessments.Send(ctx, audit.System, assessments.SendRequest{
		VendorID: v.ID, TemplateKey: templateKey, ContactEmail: contact, DueDate: time.Now().AddDate(0, 0, 30),
	})
	if err != nil {
		return link{}, fmt.Errorf("sending %s to %s: %w", templateKey, name, err)
	}
	return link{ID: as.ID, VendorID: v.ID, Contact: contact}, nil
}

// tokensFromOutbox fills in the tokens of links from their invitations in
// the outbox: only the token's hash is stored, and the mail is where the
// supplier finds it.
func tokensFromOutbox(ctx context.Context, a *app.App, baseURL string, links []link) error {
	cur, err := a.DB.Collection("outbox").Find(ctx, bson.M{"kind": assessments.MailInvitation})
	if err != nil {
		return fmt.Errorf("reading the outbox: %w", err)
	}
	var msgs []mail.Message
	if err := cur.All(ctx, &msgs); err != nil {
		return fmt.Errorf("reading the outbox: %w", err)
	}
	byRef := map[string]string{}
	for _, m := range msgs {
		byRef[m.Ref] = m.Text
	}
	for i := range links {
		tok, err := tokenIn(byRef[links[i].ID], baseURL)
		if err != nil {
			return fmt.Errorf("invitation of %s: %w", links[i].ID, err)
		}
		links[i].Token = tok
	}
	return nil
}

func tokenIn(text, baseURL string) (string, error) {
	l, err := testenv.LinkIn(text, baseURL+"/q/")
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(l, baseURL+"/q/"), nil
}

// parallel runs f for 0..n-1 on workers goroutines and returns the first
// error; it stops handing out work after one.
func parallel(ctx context.Context, n, workers int, f func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// seedCompleted gives the dashboard a portfolio: n vendors whose
// assessment of the lite questionnaire was answered, submitted and
// completed through the service, each with its own answers and so its own
// score.
func seedCompleted(ctx context.Context, s *stack, n int) error {
	admin, err := s.app.Auth.UserByEmail(ctx, adminEmail)
	if err != nil {
		return err
	}
	staff := audit.Actor{Kind: audit.KindStaff, ID: admin.ID, Email: admin.Email}
	supplier := audit.Actor{Kind: audit.KindSupplier, IP: "127.0.0.1"}
	links := make([]link, n)
	err = parallel(ctx, n, 4, func(ctx context.Context, i int) error {
		var err error
		links[i], err = sendNew(ctx, s.app, fmt.Sprintf("Portfolio Vendor %03d", i), fmt.Sprintf("contact-%03d@portfolio.test", i), vendorLite, 1+i%4)
		return err
	})
	if err != nil {
		return err
	}
	if err := tokensFromOutbox(ctx, s.app, s.url, links); err != nil {
		return err
	}
	treatments := []assessments.Treatment{assessments.TreatAccept, assessments.TreatMitigate, assessments.TreatTransfer, assessments.TreatAccept}
	return parallel(ctx, n, 4, func(ctx context.Context, i int) error {
		l := links[i]
		as, err := s.app.Assessments.Get(ctx, l.ID)
		if err != nil {
			return err
		}
		p := planFor(as.Template, uint64(1000+i), 0)
		answers := map[string]any{}
		for _, a := range p.answers {
			answers[a.qid] = a.value
		}
		if _, err := s.app.Assessments.SaveAnswers(ctx, supplier, l.Token, answers); err != nil {
			return fmt.Errorf("answering %s: %w", l.ID, err)
		}
		for j, qid := range p.files {
			f := newPDF(uint64(i), j, 8<<10)
			if _, err := s.app.Assessments.Upload(ctx, supplier, l.Token, qid, f.name, f.reader()); err != nil {
				return fmt.Errorf("uploading to %s: %w", l.ID, err)
			}
		}
		if err := s.app.Assessments.Submit(ctx, supplier, l.Token); err != nil {
			return fmt.Errorf("submitting %s: %w", l.ID, err)
		}
		if err := s.app.Assessments.Complete(ctx, staff, l.ID, treatments[i%len(treatments)], "Reviewed by the load generator."); err != nil {
			return fmt.Errorf("completing %s: %w", l.ID, err)
		}
		return nil
	})
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

// signIn logs in through the login form, as a browser does, and returns
// the cookies of the session.
func signIn(ctx context.Context, hc *http.Client, baseURL, email, password string) ([]*http.Cookie, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := *hc
	c.Jar = jar
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/login", nil)
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfMeta.FindSubmatch(body)
	if m == nil {
		return nil, fmt.Errorf("GET /login: %s, no CSRF token", resp.Status)
	}
	form := url.Values{"_csrf": {html.UnescapeString(string(m[1]))}, "email": {email}, "password": {password}}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = c.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		return nil, fmt.Errorf("POST /login: %s, Location %q", resp.Status, resp.Header.Get("Location"))
	}
	u, _ := url.Parse(baseURL + "/app/")
	return jar.Cookies(u), nil
}

// pdf is a generated evidence file: a PDF header, then bytes drawn from a
// seed, produced as they are read so that no size costs memory.
type pdf struct {
	name string
	size int64
	seed [32]byte
}

func newPDF(supplier uint64, n int, size int64) pdf {
	p := pdf{name: fmt.Sprintf("evidence-%d-%d.pdf", supplier, n), size: size}
	_, _ = rand.Read(p.seed[:])
	return p
}

// reader returns the file's bytes; every call returns the same bytes.
func (p pdf) reader() io.Reader {
	head := []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	return io.MultiReader(bytes.NewReader(head), io.LimitReader(mrand.NewChaCha8(p.seed), p.size-int64(len(head))))
}
