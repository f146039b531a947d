package questionnaires

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const fullTemplatePath = "library/iso27001-2022-supplier-full.yaml"

// TestLibraryTemplatesValidate keeps the built-in templates publishable: each
// must load, pass Validate and survive a download and re-upload.
func TestLibraryTemplatesValidate(t *testing.T) {
	paths, err := filepath.Glob("library/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			tmpl := loadTemplate(t, path)
			if other, dup := keys[tmpl.Key]; dup {
				t.Errorf("key %q is also used by %s", tmpl.Key, other)
			}
			keys[tmpl.Key] = path
			out, err := MarshalYAML(tmpl)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Parse(out, FormatYAML)
			if err != nil || Fingerprint(back) != Fingerprint(tmpl) {
				t.Errorf("round trip through MarshalYAML changed the template (%v)", err)
			}
		})
	}
}

func TestFullTemplateCoversAllControls(t *testing.T) {
	tmpl := loadTemplate(t, fullTemplatePath)
	covered := tmpl.ControlIDs()
	for _, c := range Controls() {
		if !slices.Contains(covered, c.ID) {
			t.Errorf("control %s (%s) has no question", c.ID, c.Title)
		}
	}
}

// TestDocsExampleIsValid keeps the example in docs/templates.md publishable.
func TestDocsExampleIsValid(t *testing.T) {
	doc, err := os.ReadFile("../docs/templates.md")
	if err != nil {
		t.Fatalf("the template format must stay documented: %v", err)
	}
	_, example, ok := strings.Cut(string(doc), "## Complete example\n\n```yaml\n")
	example, _, closed := strings.Cut(example, "```")
	if !ok || !closed {
		t.Fatal("docs/templates.md has no complete YAML example")
	}
	tmpl, err := Parse([]byte(example), FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	if errs := Validate(tmpl); errs != nil {
		t.Fatal(errs)
	}
}

// TestLibrary checks the embedded copy the server publishes at start: the
// same files the tests above read from disk, each valid, and fresh on every
// call so one caller's edit never leaks into another's.
func TestLibrary(t *testing.T) {
	got, err := Library()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, tmpl := range got {
		keys = append(keys, tmpl.Key)
		if errs := Validate(tmpl); errs != nil {
			t.Errorf("%s: %v", tmpl.Key, errs)
		}
	}
	want := []string{"iso27001-2022-supplier-full", "iso27001-supplier-relationships", "vendor-intake", "vendor-lite"}
	if !slices.Equal(keys, want) {
		t.Fatalf("Library() keys = %v, want %v", keys, want)
	}
	if disk := loadTemplate(t, fullTemplatePath); Fingerprint(disk) != Fingerprint(got[0]) {
		t.Error("the embedded full template differs from the file on disk")
	}
	got[0].Sections[0].Questions[0].Text = "changed"
	again, err := Library()
	if err != nil {
		t.Fatal(err)
	}
	if again[0].Sections[0].Questions[0].Text == "changed" {
		t.Error("Library() returned a shared template")
	}
}
