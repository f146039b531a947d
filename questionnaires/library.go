package questionnaires

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
)

// The built-in templates ship inside the binary so that every instance
// publishes the same questionnaires at start, with no files to deploy.
//
//go:embed library/*.yaml
var libraryFiles embed.FS

// Library returns the built-in templates, parsed and validated, in file name
// order. It parses on every call so that callers own what they get and may
// change it freely. An error names the file at fault; since the files are
// embedded, it is a build defect.
func Library() ([]*Template, error) {
	names, err := fs.Glob(libraryFiles, "library/*.yaml")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	out := make([]*Template, 0, len(names))
	keys := map[string]string{}
	for _, name := range names {
		data, err := libraryFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		t, err := Parse(data, FormatYAML)
		if err != nil {
			return nil, fmt.Errorf("built-in template %s: %w", path.Base(name), err)
		}
		if err := Validate(t).Err(); err != nil {
			return nil, fmt.Errorf("built-in template %s: %w", path.Base(name), err)
		}
		if other, dup := keys[t.Key]; dup {
			return nil, fmt.Errorf("built-in templates %s and %s share the key %q", other, path.Base(name), t.Key)
		}
		keys[t.Key] = path.Base(name)
		out = append(out, t)
	}
	return out, nil
}
