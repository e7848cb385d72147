package counselling

import (
	"encoding/json"
	"strings"
)

// The audit log is read in the language of whoever reads it, so an entry
// keeps what it says as a catalogue message id with its arguments, never as
// a finished sentence: the page translates it when it is drawn. Free text an
// admin typed (a theme's or an office's name) is an argument and is shown as
// typed inside the translated sentence.

// Who did an action that no staff member did.
const (
	AuditActorOperator  = "operator (command line)"
	AuditActorAutomatic = "Confidant (automatic)"
)

// AuditDetail is what an audit entry says beyond its action: a message id
// and the values of its placeholders. Args named in Translated are message
// ids themselves (a role, "yes"), translated too; the others are shown as
// they are.
type AuditDetail struct {
	ID         string            `json:"id"`
	Args       map[string]string `json:"args,omitempty"`
	Translated []string          `json:"translate,omitempty"`
}

// Encode is the detail as the audit log stores it; an empty detail is "".
func (d AuditDetail) Encode() string {
	if d.ID == "" {
		return ""
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "" // a struct of strings always marshals
	}
	return string(b)
}

// DecodeAuditDetail reads a stored detail. Entries written before details
// were kept as message ids hold a finished English text: ok is false for
// them, and they are shown as they are.
func DecodeAuditDetail(stored string) (d AuditDetail, ok bool) {
	if !strings.HasPrefix(stored, `{"id":`) {
		return AuditDetail{}, false
	}
	if err := json.Unmarshal([]byte(stored), &d); err != nil || d.ID == "" {
		return AuditDetail{}, false
	}
	return d, true
}

// Audit detail messages with placeholders.
const (
	AuditNamed      = "named “{{.Name}}”"
	AuditRoleChange = "from {{.Old}} to {{.New}}"
	AuditTerms      = "version {{.Version}}, {{.Language}}"
	// AuditSettingsBefore is how entries written before the answer-time
	// promise moved to the working-time page read.
	AuditSettingsBefore = "name “{{.Name}}”, answer time “{{.AnswerTime}}”, mail kept {{.MailMonths}} months, year-end wipe: {{.Wipe}}, inactive accounts kept {{.InactiveMonths}} months, chat kept {{.ChatMonths}} months, emergency number {{.Emergency}}"
	AuditSettings       = "name “{{.Name}}”, mail kept {{.MailMonths}} months, year-end wipe: {{.Wipe}}, inactive accounts kept {{.InactiveMonths}} months, chat kept {{.ChatMonths}} months, emergency number {{.Emergency}}"
)

// Audit actions and details of redistributing conversations and of the
// second admin's approval. A reassigned conversation is named by the
// colleague it went to, never by anything of the help-seeker's.
const (
	AuditReassigned       = "conversation reassigned"
	AuditToQueue          = "back to the open queue"
	AuditToColleague      = "to a colleague"
	AuditReturnedToQueue  = "open conversations returned to the queue: {{.Count}}"
	AuditAdminApproved    = "admin approved"
	AuditAwaitingApproval = "waits for another admin's approval"
)

// AuditDetailMessages are the message ids audit details (and actions named
// by a constant) use, for the translation test.
var AuditDetailMessages = []string{AuditNamed, AuditRoleChange, AuditTerms, AuditSettings, AuditSettingsBefore, AuditCallbackExpiry,
	"trainee: replies need approval", "no longer trainee", "a help-seeker's account", "yes", "no",
	AuditReassigned, AuditToQueue, AuditToColleague, AuditReturnedToQueue, AuditAdminApproved, AuditAwaitingApproval,
	AuditLanguage}

// YesNo is the message id for b.
func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// LanguageNames are the offered languages' names as message ids, by code,
// so that a page names a language in its reader's language.
var LanguageNames = map[string]string{"en": "English", "de": "German", "da": "Danish", "nl": "Dutch"}
