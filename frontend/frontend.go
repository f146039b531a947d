// Package frontend holds the server-rendered HTML pages, mail templates,
// stylesheet and the small scripts, embedded in the binary so Assay needs
// no CDN and no asset folder at run time.
package frontend

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"
	texttemplate "text/template"
)

//go:embed templates static
var files embed.FS

// Static is the embedded static assets, served under /static/.
func Static() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err)
	}
	return sub
}

// Page is what every staff or supplier page receives: the page's own data
// in Data, and what the layout needs around it.
type Page struct {
	Title   string
	Nav     string // which navigation entry is current
	User    any    // the signed-in staff user, nil on supplier pages
	CSRF    string
	Flash   string
	Error   string
	Company string
	Data    any
}

// Renderer renders pages: each page template is parsed with the layouts and
// partials, so pages only define their "content" block.
type Renderer struct {
	mu    sync.RWMutex
	pages map[string]*template.Template
	mail  *template.Template
	text  *texttemplate.Template
}

// NewRenderer parses every template once; a broken template fails start-up,
// not a request.
func NewRenderer() (*Renderer, error) {
	base := template.New("").Funcs(Funcs())
	base, err := base.ParseFS(files, "templates/layouts/*.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("layouts: %w", err)
	}
	r := &Renderer{pages: map[string]*template.Template{}}
	err = fs.WalkDir(files, "templates/pages", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		t, err := base.Clone()
		if err != nil {
			return err
		}
		if _, err := t.ParseFS(files, p); err != nil {
			return fmt.Errorf("page %s: %w", p, err)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/pages/"), ".html")
		r.pages[name] = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	r.mail, err = template.New("").Funcs(Funcs()).ParseFS(files, "templates/mail/*.html")
	if err != nil {
		return nil, fmt.Errorf("mail templates: %w", err)
	}
	// Plain-text bodies use text/template: html/template would escape the
	// ampersands in links.
	r.text, err = texttemplate.New("").Funcs(texttemplate.FuncMap(Funcs())).ParseFS(files, "templates/mail/*.txt")
	if err != nil {
		return nil, fmt.Errorf("mail text templates: %w", err)
	}
	return r, nil
}

// Pages lists the page names, for tests that render each.
func (r *Renderer) Pages() []string {
	names := make([]string, 0, len(r.pages))
	for n := range r.pages {
		names = append(names, n)
	}
	return names
}

// Render writes page name. A page defines "root" as one of the layouts
// ({{define "root"}}{{template "staff" .}}{{end}}, or "portal", "plain") and
// its body as "content".
func (r *Renderer) Render(w io.Writer, name string, data any) error {
	r.mu.RLock()
	t, ok := r.pages[name]
	r.mu.RUnlock()
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	// Render to a buffer so a template error never leaves half a page.
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "root", data); err != nil {
		return fmt.Errorf("rendering %s: %w", name, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// Mail renders mail name: name.txt defines "name:subject" and "name:text"
// (text/template), name.html defines "name:html".
func (r *Renderer) Mail(name string, data any) (subject, text, html string, err error) {
	var b bytes.Buffer
	if err = r.text.ExecuteTemplate(&b, name+":subject", data); err != nil {
		return "", "", "", fmt.Errorf("mail %s: %w", name, err)
	}
	subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err = r.text.ExecuteTemplate(&b, name+":text", data); err != nil {
		return "", "", "", fmt.Errorf("mail %s: %w", name, err)
	}
	text = strings.TrimSpace(b.String()) + "\n"
	b.Reset()
	if err = r.mail.ExecuteTemplate(&b, name+":html", data); err != nil {
		return "", "", "", fmt.Errorf("mail %s: %w", name, err)
	}
	return subject, text, b.String(), nil
}

// MailNames lists the mail templates.
func (r *Renderer) MailNames() []string {
	var out []string
	for _, t := range r.text.Templates() {
		if n, ok := strings.CutSuffix(t.Name(), ":subject"); ok {
			out = append(out, n)
		}
	}
	return out
}

var assetVersion = sync.OnceValue(func() string {
	h := sha256.New()
	_ = fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := files.ReadFile(p)
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:10]
})

// Asset returns the URL of a static file with a content version, so
// browsers may cache it for a year.
func Asset(name string) string {
	return path.Join("/static", name) + "?v=" + assetVersion()
}
