package report

// ParseMarkdown exposes the methodology parser to tests.
var ParseMarkdown = parseMarkdown
