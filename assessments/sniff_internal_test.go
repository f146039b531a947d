package assessments

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/questionnaires"
)

func zipBytes(t *testing.T, streamed bool, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range names {
		h := &zip.FileHeader{Name: n, Method: zip.Deflate}
		var w interface{ Write([]byte) (int, error) }
		var err error
		if streamed {
			w, err = zw.CreateHeader(h)
		} else {
			w, err = zw.CreateRaw(&zip.FileHeader{Name: n, Method: zip.Store, CompressedSize64: 3, UncompressedSize64: 3})
		}
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("abc"))
	}
	zw.Close()
	return b.Bytes()
}

func TestClassify(t *testing.T) {
	ooxml := zipBytes(t, false, "[Content_Types].xml", "_rels/.rels", "word/document.xml")
	contentTypesOnly := zipBytes(t, true, "[Content_Types].xml", "whatever.xml")
	cases := []struct {
		name, filename string
		head           []byte
		want           string
		err            error
	}{
		{"pdf", "a.pdf", []byte("%PDF-1.7\n..."), TypePDF, nil},
		{"pdf named txt", "a.txt", []byte("%PDF-1.4\n"), TypePDF, nil},
		{"png", "a.png", []byte("\x89PNG\r\n\x1a\n\x00\x00"), TypePNG, nil},
		{"jpeg", "a.jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"), TypeJPEG, nil},
		{"docx by its parts", "a.zip", ooxml, TypeDOCX, nil},
		{"xlsx by its parts", "report", zipBytes(t, false, "[Content_Types].xml", "xl/workbook.xml"), TypeXLSX, nil},
		{"pptx by its parts", "deck.pptx", zipBytes(t, false, "[Content_Types].xml", "ppt/presentation.xml"), TypePPTX, nil},
		{"streamed ooxml by extension", "deck.PPTX", contentTypesOnly, TypePPTX, nil},
		{"streamed ooxml without office extension", "deck.zip", contentTypesOnly, TypeZIP, nil},
		{"plain zip named docx", "a.docx", zipBytes(t, false, "notes.txt"), TypeZIP, nil},
		{"text", "notes.txt", []byte("hello, world\nsecond line"), TypeTXT, nil},
		{"csv", "Assets.CSV", []byte("a,b\n1,2\n"), TypeCSV, nil},
		{"utf-8 cut mid-character", "n.txt", []byte("caf\xc3"), TypeTXT, nil},
		{"latin-1 text", "n.txt", []byte("caf\xe9 au lait"), "", apperr.ErrUnsupportedMedia},
		{"nul byte", "n.txt", []byte("abc\x00def"), "", apperr.ErrUnsupportedMedia},
		{"html", "page.txt", []byte("<!DOCTYPE html><html></html>"), "", apperr.ErrUnsupportedMedia},
		{"svg", "logo.png", []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`), "", apperr.ErrUnsupportedMedia},
		{"text under another name", "notes.md", []byte("# Notes"), "", apperr.ErrUnsupportedMedia},
		{"executable", "setup.pdf", []byte("MZ\x90\x00\x03"), "", apperr.ErrUnsupportedMedia},
		{"gif", "a.gif", []byte("GIF89a\x01\x00"), "", apperr.ErrUnsupportedMedia},
		{"gzip", "a.zip", []byte("\x1f\x8b\x08\x00"), "", apperr.ErrUnsupportedMedia},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := classify(c.head, c.filename)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Errorf("got %q, %v; want %v", got, err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Errorf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
	if _, err := classify(nil, "empty.pdf"); len(apperr.Fields(err)) != 1 {
		t.Errorf("empty file: %v", err)
	}
}

func TestCleanFilename(t *testing.T) {
	long := strings.Repeat("é", 300) + ".pdf"
	cases := map[string]string{
		"report.pdf":              "report.pdf",
		`C:\Users\ann\report.pdf`: "report.pdf",
		"../../etc/passwd":        "passwd",
		"a\x00b\nc\x7f.txt":       "abc.txt",
		"evil\u202etxt.exe":       "eviltxt.exe",
		"  spaced.csv  ":          "spaced.csv",
		"":                        "evidence",
		"..":                      "evidence",
		"/":                       "evidence",
		long:                      strings.Repeat("é", MaxFilenameLen-4) + ".pdf",
		"bad\xffutf8.txt":         "badutf8.txt",
	}
	for in, want := range cases {
		if got := cleanFilename(in); got != want {
			t.Errorf("cleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEstimate(t *testing.T) {
	tmpl := func(types ...questionnaires.QuestionType) *questionnaires.Template {
		var qs []questionnaires.Question
		for _, ty := range types {
			qs = append(qs, questionnaires.Question{ID: string(ty), Type: ty})
		}
		return &questionnaires.Template{Sections: []questionnaires.Section{{Questions: qs}}}
	}
	many := func(n int, ty questionnaires.QuestionType) []questionnaires.QuestionType {
		out := make([]questionnaires.QuestionType, n)
		for i := range out {
			out[i] = ty
		}
		return out
	}
	cases := []struct {
		t    *questionnaires.Template
		want string
	}{
		{tmpl(questionnaires.TypeYesNo), "about 10 minutes"},
		{tmpl(many(20, questionnaires.TypeYesNo)...), "about 15 minutes"},
		{tmpl(many(10, questionnaires.TypeLongText)...), "about 50 minutes"},
		{tmpl(many(14, questionnaires.TypeLongText)...), "about an hour"},
		{tmpl(many(120, questionnaires.TypeYesNo)...), "about 1½ hours"},
		{tmpl(many(160, questionnaires.TypeYesNo)...), "about 2 hours"},
	}
	for _, c := range cases {
		if got := Estimate(c.t); got != c.want {
			t.Errorf("%d questions: %q, want %q", c.t.QuestionCount(), got, c.want)
		}
	}
}
