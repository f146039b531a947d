package frontend

// Link is a call to action in a mail.
type Link struct {
	Label string
	URL   string
}

// Notice is the data of the generic "notice" mail: a heading, paragraphs
// and an optional link. Mails with no layout of their own use it.
type Notice struct {
	Company    string
	Subject    string
	Heading    string
	Paragraphs []string
	Link       *Link
}
