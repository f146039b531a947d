package handlers

import (
	"html/template"
	"net/url"
	"strings"

	"github.com/assayhq/assay/frontend"
)

// The questions of a supplier's section page are written here in Go rather
// than by a template: html/template calls its escapers through reflection
// for every value it writes, and for a section of 27 questions that was
// more of a page's CPU than reading the assessment (see README,
// Performance). The markup is that of the template it replaced, and the
// rule that kept that template safe holds here: every value goes through
// htmlText (text and quoted attributes) or pathPart (a segment of a URL),
// and nothing else is written but fixed markup.

// htmlEscaper escapes as html.EscapeString, without allocating.
var htmlEscaper = strings.NewReplacer(`&`, "&amp;", `'`, "&#39;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;")

type markup struct{ strings.Builder }

// raw writes fixed markup.
func (m *markup) raw(s ...string) {
	for _, x := range s {
		m.WriteString(x)
	}
}

// text writes a value as HTML text or as the inside of a quoted attribute.
func (m *markup) text(s string) { _, _ = htmlEscaper.WriteString(&m.Builder, s) }

// pathPart writes a value as one segment of a URL path in an attribute.
func (m *markup) pathPart(s string) { m.text(url.PathEscape(s)) }

// attr writes ` name="value"`.
func (m *markup) attr(name, value string) {
	m.raw(" ", name, `="`)
	m.text(value)
	m.raw(`"`)
}

// flag writes ` name` when on.
func (m *markup) flag(on bool, name string) {
	if on {
		m.raw(" ", name)
	}
}

// QuestionsHTML is the markup of the section's questions.
func (s *portalSectionView) QuestionsHTML() template.HTML {
	var m markup
	m.Grow(len(s.Questions) * 1500)
	for i := range s.Questions {
		m.question(&s.Questions[i])
	}
	return template.HTML(m.String())
}

func (m *markup) question(q *portalQuestionView) {
	m.raw(`<div class="question portal-q"`)
	m.attr("id", "q-"+q.ID)
	m.attr("data-qid", q.ID)
	m.attr("data-type", string(q.Type))
	m.flag(q.Locked, "data-locked")
	m.flag(q.Hidden, "hidden")
	m.raw(">\n")
	if c := q.Reopened; c != nil {
		m.raw(`<div class="comment"`)
		m.attr("id", "rc-"+q.ID)
		m.raw("><strong>Question from the reviewer:</strong> ")
		m.text(c.Comment)
		m.raw("</div>\n")
	}
	if q.Locked {
		m.raw(`<p class="qtext">`)
		m.text(q.Text)
		m.raw("</p>\n<p class=\"portal-answer\">")
		switch {
		case q.Display != "":
			m.text(q.Display)
		case q.File && len(q.Files) == 0:
			m.raw(`<span class="muted">No file</span>`)
		case !q.File:
			m.raw(`<span class="muted">Not answered</span>`)
		}
		m.raw("</p>\n")
		m.files(q)
		m.raw("</div>\n")
		return
	}
	switch {
	case q.Group:
		m.raw(`<fieldset class="portal-group"`)
		m.attr("aria-describedby", q.Describedby)
		m.raw(">\n<legend class=\"qtext\">")
		m.text(q.Text)
		m.required(q)
		m.raw("</legend>\n")
		m.help(q)
		m.raw("<div class=\"choices\">\n")
		for _, o := range q.Options {
			m.raw(`<label class="choice"`)
			m.attr("for", o.InputID)
			m.raw("><input")
			m.attr("id", o.InputID)
			m.attr("type", q.Control)
			m.attr("name", q.Name)
			m.attr("value", o.Value)
			m.flag(o.Checked, "checked")
			if q.Error != "" {
				m.raw(` aria-invalid="true"`)
			}
			m.raw("> ")
			m.text(o.Label)
			m.raw("</label>\n")
		}
		m.raw("</div>\n</fieldset>\n")
	case q.File:
		m.raw(`<p class="qtext">`)
		m.text(q.Text)
		m.required(q)
		m.raw("</p>\n")
		m.help(q)
	default:
		m.raw(`<label class="qtext"`)
		m.attr("for", "in-"+q.ID)
		m.raw(">")
		m.text(q.Text)
		m.required(q)
		m.raw("</label>\n")
		m.help(q)
		m.input(q)
	}
	m.raw(`<p class="field-error"`)
	m.attr("id", "err-"+q.ID)
	m.flag(q.Error == "", "hidden")
	m.raw(">")
	m.text(q.Error)
	m.raw("</p>\n")
	if q.Prefilled {
		m.raw(`<p class="portal-prefilled"`)
		m.attr("id", "pf-"+q.ID)
		m.raw("><span class=\"badge badge-info\">From your last assessment</span> <span>confirm or change</span>\n" +
			`<button type="submit" name="confirm"`)
		m.attr("value", q.ID)
		m.raw(` class="btn-small secondary"`)
		m.attr("data-confirm-q", q.ID)
		m.raw(">Confirm<span class=\"sr-only\"> this answer</span></button></p>\n")
	}
	if q.WantsFiles {
		m.upload(q)
	}
	m.raw("</div>\n")
}

// input writes the control of a question asked with one field.
func (m *markup) input(q *portalQuestionView) {
	switch {
	case q.Select:
		m.raw("<select")
		m.attr("id", "in-"+q.ID)
		m.attr("name", q.Name)
		m.aria(q)
		m.raw(">\n<option value=\"\">Choose…</option>\n")
		for _, o := range q.Options {
			m.raw("<option")
			m.attr("value", o.Value)
			m.flag(o.Checked, "selected")
			m.raw(">")
			m.text(o.Label)
			m.raw("</option>\n")
		}
		m.raw("</select>\n")
	case q.LongText:
		m.raw("<textarea")
		m.attr("id", "in-"+q.ID)
		m.attr("name", q.Name)
		m.raw(` maxlength="20000" rows="5"`)
		m.aria(q)
		m.raw(">")
		m.text(q.Value)
		m.raw("</textarea>\n")
	default:
		m.raw("<input")
		m.attr("id", "in-"+q.ID)
		m.attr("type", q.Control)
		m.attr("name", q.Name)
		m.attr("value", q.Value)
		switch {
		case q.Number:
			m.raw(` step="any" inputmode="decimal"`)
		case !q.Date:
			m.raw(` maxlength="2000"`)
		}
		m.aria(q)
		m.raw(">\n")
	}
}

func (m *markup) required(q *portalQuestionView) {
	if q.Required {
		m.raw(` <span class="required-mark" aria-hidden="true">*</span><span class="sr-only"> (required)</span>`)
	}
}

func (m *markup) help(q *portalQuestionView) {
	if q.Help != "" {
		m.raw(`<p class="hint"`)
		m.attr("id", "help-"+q.ID)
		m.raw(">")
		m.text(q.Help)
		m.raw("</p>\n")
	}
}

func (m *markup) aria(q *portalQuestionView) {
	m.attr("aria-describedby", q.Describedby)
	if q.Error != "" {
		m.raw(` aria-invalid="true"`)
	}
	if q.Required {
		m.raw(` aria-required="true"`)
	}
}

// fileItem opens the list item of one of the supplier's files: its
// download link and size, the size marked for portal.js when sizeAttr says
// so. The caller closes the item.
func (m *markup) fileItem(q *portalQuestionView, i int, sizeAttr string) {
	f := &q.Files[i]
	m.raw("<li")
	m.attr("data-eid", f.ID)
	m.raw(`><a href="/q/`)
	m.pathPart(q.Token)
	m.raw("/evidence/")
	m.pathPart(f.ID)
	m.raw(`" download>`)
	m.text(f.Filename)
	m.raw(`</a> <span class="muted small"`, sizeAttr, ">")
	m.text(frontend.HumanBytes(f.Size))
	m.raw("</span>")
}

// files lists a locked question's files, read-only.
func (m *markup) files(q *portalQuestionView) {
	if len(q.Files) == 0 {
		return
	}
	m.raw(`<ul class="files"`)
	m.attr("id", "files-"+q.ID)
	m.raw(" aria-label=\"Files for this question\">\n")
	for i := range q.Files {
		m.fileItem(q, i, "")
		m.raw("</li>\n")
	}
	m.raw("</ul>\n")
}

// upload writes a question's files with their Remove buttons and the file
// input; the forms the buttons belong to follow the section's form.
func (m *markup) upload(q *portalQuestionView) {
	m.raw(`<div class="portal-evidence"`)
	m.attr("data-evidence", q.ID)
	m.raw(">\n<p class=\"hint\"")
	m.attr("id", "evh-"+q.ID)
	m.raw(">")
	if q.EvidenceRequired {
		m.raw("<strong>Evidence required</strong>")
	} else {
		m.raw("Evidence welcome")
	}
	if q.EvidenceHint != "" {
		m.raw(": ")
		m.text(q.EvidenceHint)
	}
	m.raw(". PDF, image, Office, text, CSV or ZIP files.</p>\n<ul class=\"files\"")
	m.attr("id", "files-"+q.ID)
	m.raw(` aria-label="Files for this question"`)
	m.attr("data-files", q.ID)
	m.raw(">\n")
	for i, f := range q.Files {
		m.fileItem(q, i, " data-size")
		m.raw("\n<button type=\"submit\"")
		m.attr("form", "rm-"+f.ID)
		m.raw(` class="btn-small secondary"`)
		m.attr("data-remove", f.ID)
		m.raw(`>Remove<span class="sr-only"> `)
		m.text(f.Filename)
		m.raw("</span></button></li>\n")
	}
	m.raw("</ul>\n<div class=\"dropzone\"")
	m.attr("data-dropzone", q.ID)
	m.raw(">\n<label")
	m.attr("for", "file-"+q.ID)
	m.raw(` class="portal-droplabel">Add files <span class="hint">drop them here, or choose them (you can pick several)</span></label>` + "\n<input type=\"file\"")
	m.attr("id", "file-"+q.ID)
	m.raw(` name="file" multiple`)
	m.attr("form", "up-"+q.ID)
	m.raw(` accept=".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.pptx,.txt,.csv,.zip"`)
	m.attr("aria-describedby", "evh-"+q.ID)
	m.raw(">\n<button type=\"submit\"")
	m.attr("form", "up-"+q.ID)
	m.raw(` class="btn-small" data-upload-button>Upload</button>` + "\n" +
		`<noscript><p class="hint">Uploading reloads the page: save your answers first.</p></noscript>` + "\n</div>\n<ul class=\"portal-uploads\"")
	m.attr("data-uploads", q.ID)
	m.raw(" aria-live=\"polite\"></ul>\n</div>\n")
}
