package library

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// sourceLines finds the line of a validator path in the file a template was
// read from, so an author sees where to fix it. JSON is YAML, so one parser
// serves both formats.
type sourceLines struct{ root *yaml.Node }

func newSourceLines(data []byte) sourceLines {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return sourceLines{}
	}
	return sourceLines{root: doc.Content[0]}
}

// line returns the line of path ("sections[2].questions[4].show_if.question"),
// or of the nearest enclosing node present in the file when the field itself
// is missing ("title is required" points at the object lacking it); 0 when
// unknown.
func (s sourceLines) line(path string) int {
	if s.root == nil || path == "" {
		return 0
	}
	n, line := s.root, s.root.Line
	for _, seg := range strings.Split(path, ".") {
		name, rest, _ := strings.Cut(seg, "[")
		if name != "" {
			key, val := field(n, name)
			if key == nil {
				return line
			}
			n, line = val, key.Line
		}
		for rest != "" {
			idx, after, ok := strings.Cut(rest, "]")
			i, err := strconv.Atoi(idx)
			n = deref(n)
			if !ok || err != nil || n.Kind != yaml.SequenceNode || i < 0 || i >= len(n.Content) {
				return line
			}
			n, line = n.Content[i], n.Content[i].Line
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return line
}

// field returns the key and value nodes of name in a mapping.
func field(n *yaml.Node, name string) (*yaml.Node, *yaml.Node) {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i], deref(n.Content[i+1])
		}
	}
	return nil, nil
}

// deref follows YAML aliases, which authors use to repeat option lists.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}
