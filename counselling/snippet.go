package counselling

import (
	"strings"
	"unicode/utf8"
)

// Limits of snippets: a title fits in a list, a text is a paragraph or a few,
// not a whole letter, and one person keeps a list they can still read.
const (
	SnippetTitleMaxRunes = 80
	SnippetBodyMaxRunes  = 2_000
	MaxSnippets          = 100
)

// Snippet is a text a counsellor inserts into a reply: their own, or one the
// office's admins keep for everyone (OfficeWide). It is in one language and
// offered to counsellors working in that language.
type Snippet struct {
	ID         string
	OfficeWide bool
	Lang       string
	Title      string
	Body       string
}

// Validate checks a snippet before it is stored: a title and a text, neither
// longer than its limit, in a language the pages speak.
func (s *Snippet) Validate() error {
	p := Problems{}
	s.Title = strings.TrimSpace(s.Title)
	// The limits are named in the messages; checkText's general message
	// about length comes second.
	if utf8.RuneCountInString(s.Title) > SnippetTitleMaxRunes {
		p.Add("title", "A snippet's title may be at most 80 characters long.")
	}
	if utf8.RuneCountInString(s.Body) > SnippetBodyMaxRunes {
		p.Add("body", "A snippet's text may be at most 2,000 characters long. Please shorten it or make two snippets.")
	}
	checkText(p, "title", s.Title, SnippetTitleMaxRunes, true)
	checkText(p, "body", s.Body, SnippetBodyMaxRunes, true)
	if _, ok := LanguageNames[s.Lang]; !ok {
		p.Add("lang", "Please choose a language from the list.")
	}
	return p.Err()
}

// SnippetScope says which snippets a caller reaches: those of one office
// that are the caller's own (OwnerID) and, with OfficeWide, the office's
// shared ones. The store turns it into a SQL condition.
type SnippetScope struct {
	None       bool
	OfficeID   int64
	OwnerID    string
	OfficeWide bool
}

// KeptSnippets is the rule of whose snippets a caller keeps (adds and
// deletes): counsellors and supervisors their own; an office's admins the
// office-wide ones of that office, which only they change; help-seekers none.
func KeptSnippets(c Caller) SnippetScope {
	switch {
	case c.AccountID == "" || c.OfficeID == 0:
	case c.Counsels():
		return SnippetScope{OfficeID: c.OfficeID, OwnerID: c.AccountID}
	case c.Kind == KindStaff && c.Role == RoleAdmin:
		return SnippetScope{OfficeID: c.OfficeID, OfficeWide: true}
	}
	return SnippetScope{None: true}
}

// InsertableSnippets is the rule of which snippets a caller may insert into a
// reply: a counsellor's or supervisor's own and their office's shared ones,
// never a colleague's own. Admins write no replies.
func InsertableSnippets(c Caller) SnippetScope {
	if !c.Counsels() || c.AccountID == "" || c.OfficeID == 0 {
		return SnippetScope{None: true}
	}
	return SnippetScope{OfficeID: c.OfficeID, OwnerID: c.AccountID, OfficeWide: true}
}

// InsertSnippet is a reply with a snippet added where a page without
// JavaScript can put it: at the end, after a blank line when something is
// written already. What was typed stays as it was.
func InsertSnippet(body, snippet string) string {
	trimmed := strings.TrimRight(body, " \t\r\n")
	if trimmed == "" {
		return snippet
	}
	return trimmed + "\n\n" + snippet
}
