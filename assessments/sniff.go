package assessments

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/assayhq/assay/apperr"
)

// sniffLen is how much of an upload is read before deciding its type: the
// 512 bytes content sniffing looks at, and enough of a zip to see the
// names of its first entries, which tell OOXML documents apart.
const sniffLen = 4096

// Content types recorded for evidence, decided from the bytes.
const (
	TypePDF  = "application/pdf"
	TypePNG  = "image/png"
	TypeJPEG = "image/jpeg"
	TypeZIP  = "application/zip"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	TypePPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	TypeTXT  = "text/plain; charset=utf-8"
	TypeCSV  = "text/csv; charset=utf-8"
)

var errUnsupported = apperr.Wrapf(apperr.ErrUnsupportedMedia,
	"this kind of file is not accepted: upload a PDF, PNG, JPEG, Word, Excel or PowerPoint (docx, xlsx, pptx), text, CSV or zip file")

// classify decides the content type of an upload from its first bytes;
// the filename only tells an OOXML document whose first entries do not
// name its kind, and whether text is plain text or CSV. Anything outside
// the allow-list is apperr.ErrUnsupportedMedia.
func classify(head []byte, filename string) (string, error) {
	if len(head) == 0 {
		return "", apperr.Field("file", "The file is empty.")
	}
	ext := strings.ToLower(path.Ext(filename))
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return zipKind(head, ext), nil
	}
	sniffed := http.DetectContentType(head[:min(len(head), 512)])
	switch sniffed {
	case TypePDF, TypePNG, TypeJPEG:
		return sniffed, nil
	case "text/plain; charset=utf-8":
		// Text is accepted only under a text name: markup such as SVG
		// sniffs as plain text too.
		switch {
		case !isText(head):
		case ext == ".csv":
			return TypeCSV, nil
		case ext == ".txt":
			return TypeTXT, nil
		}
	}
	return "", errUnsupported
}

// isText accepts UTF-8 without NUL bytes; the head may end inside a
// multi-byte character, which is not held against it.
func isText(head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	for i := 0; i < utf8.UTFMax && len(head) > 0 && !utf8.Valid(head); i++ {
		head = head[:len(head)-1]
	}
	return utf8.Valid(head)
}

// zipKind tells OOXML documents from other zips by the names of the local
// file headers in head. A document's first entry is usually
// [Content_Types].xml or _rels/.rels, followed by word/, xl/ or ppt/ parts.
func zipKind(head []byte, ext string) string {
	var ooxml bool
	for _, name := range zipNames(head) {
		switch {
		case strings.HasPrefix(name, "word/"):
			return TypeDOCX
		case strings.HasPrefix(name, "xl/"):
			return TypeXLSX
		case strings.HasPrefix(name, "ppt/"):
			return TypePPTX
		case name == "[Content_Types].xml", strings.HasPrefix(name, "_rels/"), strings.HasPrefix(name, "docProps/"):
			ooxml = true
		}
	}
	if ooxml {
		switch ext {
		case ".docx":
			return TypeDOCX
		case ".xlsx":
			return TypeXLSX
		case ".pptx":
			return TypePPTX
		}
	}
	return TypeZIP
}

// zipNames returns the entry names of the local file headers that lie
// wholly in head, stopping at an entry whose size is only known after its
// data (a streamed zip), since the next header cannot be found then.
func zipNames(head []byte) []string {
	var names []string
	for off := 0; off+30 <= len(head) && bytes.Equal(head[off:off+4], []byte("PK\x03\x04")); {
		flags := binary.LittleEndian.Uint16(head[off+6:])
		csize := int(binary.LittleEndian.Uint32(head[off+18:]))
		nameLen := int(binary.LittleEndian.Uint16(head[off+26:]))
		extraLen := int(binary.LittleEndian.Uint16(head[off+28:]))
		if off+30+nameLen > len(head) {
			break
		}
		names = append(names, string(head[off+30:off+30+nameLen]))
		if flags&0x08 != 0 && csize == 0 {
			break
		}
		off += 30 + nameLen + extraLen + csize
	}
	return names
}

// MaxFilenameLen bounds stored filenames, in characters.
const MaxFilenameLen = 200

// cleanFilename keeps the base name a browser sent, without control or
// direction-changing characters, at most MaxFilenameLen characters with its
// extension kept.
func cleanFilename(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." || name == "/" {
		return "evidence"
	}
	if r := []rune(name); len(r) > MaxFilenameLen {
		ext := []rune(path.Ext(name))
		if len(ext) > 20 {
			ext = nil
		}
		name = string(r[:MaxFilenameLen-len(ext)]) + string(ext)
	}
	return name
}
