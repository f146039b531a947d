package report

import (
	_ "embed"
	"regexp"
	"strings"
	"sync"
)

// The methodology section quotes docs/scoring.md. The embed directive
// cannot reach outside this package, so methodology.md is a copy, which a
// test keeps identical to the original.
//
//go:generate cp ../docs/scoring.md methodology.md
//go:embed methodology.md
var methodologyMD string

// BlockKind is the kind of a block of the methodology text.
type BlockKind string

const (
	BlockHeading   BlockKind = "heading"
	BlockParagraph BlockKind = "paragraph"
	BlockList      BlockKind = "list"
	BlockTable     BlockKind = "table"
	BlockCode      BlockKind = "code"
)

// Block is one block of the methodology: a heading (Level 1–3, Text), a
// paragraph (Text), a list (Items, Ordered), a table (Rows, the first being
// the header) or preformatted code (Text). Inline markup is reduced to
// plain text, which every renderer can show.
type Block struct {
	Kind    BlockKind
	Level   int
	Text    string
	Items   []string
	Ordered bool
	Rows    [][]string
}

// Methodology returns the method as blocks, parsed once.
var Methodology = sync.OnceValue(func() []Block { return parseMarkdown(methodologyMD) })

var (
	orderedItem = regexp.MustCompile(`^\d+\.\s+`)
	tableRule   = regexp.MustCompile(`^\|[\s:|-]+\|$`)
	subscript   = regexp.MustCompile(`<sub>(.*?)</sub>`)
	emphasis    = regexp.MustCompile(`\*([^*\s][^*]*)\*`)
)

// plain reduces inline markdown to text: **bold**, *italic*, `code` and
// <sub>x</sub> (written _x).
func plain(s string) string {
	s = subscript.ReplaceAllString(s, "_$1")
	s = strings.ReplaceAll(s, "**", "")
	s = emphasis.ReplaceAllString(s, "$1")
	s = strings.ReplaceAll(s, "`", "")
	s = strings.ReplaceAll(s, `\|`, "|")
	return strings.TrimSpace(s)
}

// parseMarkdown reads the subset of markdown the docs use: ATX headings,
// paragraphs, "-" and "1." lists with continuation lines, pipe tables and
// fenced code.
func parseMarkdown(src string) []Block {
	var out []Block
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	var para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, Block{Kind: BlockParagraph, Text: plain(strings.Join(para, " "))})
			para = nil
		}
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			flush()
		case strings.HasPrefix(trimmed, "```"):
			flush()
			var code []string
			for i++; i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), "```"); i++ {
				code = append(code, lines[i])
			}
			out = append(out, Block{Kind: BlockCode, Text: strings.Join(code, "\n")})
		case strings.HasPrefix(trimmed, "#"):
			flush()
			level := len(trimmed) - len(strings.TrimLeft(trimmed, "#"))
			out = append(out, Block{Kind: BlockHeading, Level: level, Text: plain(trimmed[level:])})
		case strings.HasPrefix(trimmed, "|"):
			flush()
			var rows [][]string
			for ; i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "|"); i++ {
				row := strings.TrimSpace(lines[i])
				if tableRule.MatchString(row) {
					continue
				}
				rows = append(rows, splitRow(row))
			}
			i--
			out = append(out, Block{Kind: BlockTable, Rows: rows})
		case strings.HasPrefix(trimmed, "- ") || (orderedItem.MatchString(trimmed) && (len(para) == 0 || strings.HasPrefix(trimmed, "1."))):
			// As in CommonMark, only a list starting at 1 interrupts a
			// paragraph: "… capped at\n100. Template authors …" is prose.
			flush()
			b := Block{Kind: BlockList, Ordered: !strings.HasPrefix(trimmed, "- ")}
		items:
			for ; i < len(lines); i++ {
				t := strings.TrimSpace(lines[i])
				switch {
				case strings.HasPrefix(t, "- "):
					b.Items = append(b.Items, t[2:])
				case orderedItem.MatchString(t):
					b.Items = append(b.Items, orderedItem.ReplaceAllString(t, ""))
				case t != "" && strings.HasPrefix(lines[i], " ") && len(b.Items) > 0:
					b.Items[len(b.Items)-1] += " " + t
				default:
					break items
				}
			}
			i--
			for j := range b.Items {
				b.Items[j] = plain(b.Items[j])
			}
			out = append(out, b)
		default:
			para = append(para, trimmed)
		}
	}
	flush()
	return out
}

// splitRow splits a pipe table row into cells; an escaped \| stays in its
// cell.
func splitRow(row string) []string {
	row = strings.TrimSuffix(strings.TrimPrefix(row, "|"), "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row) && row[i+1] == '|':
			cur.WriteString(`\|`)
			i++
		case row[i] == '|':
			cells = append(cells, plain(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(row[i])
		}
	}
	return append(cells, plain(cur.String()))
}
