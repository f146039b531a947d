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
	if _, err := os.Stat(fullTemplatePath); os.IsNotExist(err) {
		t.Skip(fullTemplatePath + " not written yet")
	}
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
		t.Skip("docs/templates.md not found")
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
