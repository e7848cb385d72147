// Package templates renders Confidant's pages with templ. Components take typed
// values built from domain types and know nothing of HTTP or the store.
package templates

import (
	"slices"
	"strings"

	"confidant/counselling"
)

// Page is what every page's frame needs.
type Page struct {
	Title string
	// TitleData fills the title's placeholders, for titles that tell pages
	// of one kind apart.
	TitleData map[string]any
	Lang      string
	CSSURL    string
	JSURL     string
	// LiveJSURL, when set, adds the live chat's script to the page.
	LiveJSURL    string
	QuickExitURL string
	User         *User // nil when nobody is logged in
	MailEnabled  bool
	// GroupCalls are the group calls the help-seeker is invited to; every
	// page of theirs offers them.
	GroupCalls []string
	// Reach, when set, carries the in-page ring and the notice of expired
	// call-back requests (help-seekers), or follows rings (counsellors).
	Reach *ReachFrame
	// NewFlags, for supervisors, counts the office's risk flags raised since
	// they last looked: every page of theirs says so until they do.
	NewFlags int
	// SwitchPath is where the language links lead: this page, or the start
	// page after a form was sent.
	SwitchPath string
	// PageJSURL, when set, adds a script of the page's own (progressive
	// enhancement: the page works without it).
	PageJSURL string
	// SkipLinks lead past the frame to a page's main task (its Value is the
	// target's fragment), before the general link to the content.
	SkipLinks []Option
	// EasyOffered: the office offers its help-seeker pages in easy
	// language, and this page links to that version (or back); Easy: the
	// page is in easy language.
	EasyOffered bool
	Easy        bool
}

// User is the logged-in person as the frame shows them.
type User struct {
	Name  string
	Staff bool
	Role  string
	// Guest: a help-seeker chatting as a guest, who has no account pages.
	Guest bool
}

// ShowQuickExit reports whether the page carries the quick-exit link: on every
// page but staff pages.
func (p Page) ShowQuickExit() bool {
	return p.User == nil || !p.User.Staff
}

// Form carries submitted values and what was wrong with them.
type Form struct {
	Values map[string]string
	Errors map[string]string
	// Message is shown at the top when the problem is not about one field.
	Message string
	// Carry are hidden fields that bring text typed before a session ended
	// back to its form after the login.
	Carry []Carried
}

// Value returns the submitted value of a field.
func (f Form) Value(name string) string { return f.Values[name] }

// Error returns the problem with a field, if any.
func (f Form) Error(name string) string { return f.Errors[name] }

// HasErrors reports whether the form needs correcting.
func (f Form) HasErrors() bool { return len(f.Errors) > 0 || f.Message != "" }

// describedBy lists the ids of a field's hint and error, for aria-describedby.
func describedBy(name string, hint bool, f Form) string {
	var ids []string
	if hint {
		ids = append(ids, name+"-hint")
	}
	if f.Error(name) != "" {
		ids = append(ids, name+"-error")
	}
	return strings.Join(ids, " ")
}

func ariaInvalid(name string, f Form) string {
	if f.Error(name) != "" {
		return "true"
	}
	return "false"
}

// fieldOrder is the order of fields in error summaries.
var fieldOrder = []string{"form", "nickname", "password", "current_password", "new_password", "email", "age_band", "gender", "region", "accept_terms", "theme", "subject", "body", "totp_code", "code"}

type fieldProblem struct {
	Field   string
	Message string
}

func (f Form) problems() []fieldProblem {
	var out []fieldProblem
	seen := map[string]bool{}
	for _, name := range fieldOrder {
		if msg, ok := f.Errors[name]; ok {
			out = append(out, fieldProblem{name, msg})
			seen[name] = true
		}
	}
	// The other fields (a survey's questions, say) follow in a fixed order,
	// so that the summary reads the same each time.
	var rest []string
	for name := range f.Errors {
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	for _, name := range rest {
		out = append(out, fieldProblem{name, f.Errors[name]})
	}
	return out
}

// Option is one choice of a select.
type Option struct {
	Value string
	Label string
	// Role, for a choice of staff members, is the member's role, shown
	// translated after the name.
	Role string
}

// conversationURL is where a list leads to a conversation: a mail thread's
// page under prefix, a chat's page under /live/.
func conversationURL(prefix string, t counselling.ThreadSummary) string {
	if t.Channel == counselling.ChannelChat {
		return "/live/" + t.ID
	}
	return prefix + t.ID
}

// PageTitle is the page's title in its reader's language.
func PageTitle(lang string, p Page) string {
	return Translate(lang, p.Title, p.TitleData, nil)
}
