package templates

import (
	"context"
	"slices"
	"strings"
	"time"

	"confidant/counselling"
	"confidant/counselling/redact"
)

// Paragraphs splits text at blank lines, so messages keep their shape without
// any markup being trusted.
func Paragraphs(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var out []string
	for _, p := range strings.Split(text, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// SinceIn is Since in the language of ctx.
func SinceIn(ctx context.Context, now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return T(ctx, "moments")
	case d < time.Hour:
		return Tn(ctx, "{{.Count}} minutes", int(d/time.Minute))
	case d < 48*time.Hour:
		return Tn(ctx, "{{.Count}} hours", int(d/time.Hour))
	}
	return Tn(ctx, "{{.Count}} days", int(d/(24*time.Hour)))
}

// WhenIn formats a moment for a page; the numeric form reads the same in every
// language offered.
func WhenIn(_ context.Context, t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// StaffName is a staff member's name as shown: their own, or the words for a
// former counsellor (counselling.FormerStaff) in the reader's language.
func StaffName(ctx context.Context, name string) string {
	if name == counselling.FormerStaff {
		return T(ctx, name)
	}
	return name
}

// StaffNameIn is StaffName for a reader of lang, where no page is rendered
// (the frames of a live socket).
func StaffNameIn(lang, name string) string {
	if name == counselling.FormerStaff {
		return Translate(lang, name, nil, nil)
	}
	return name
}

// auditActor names who did an audited action, in the reader's language when
// it was no staff member.
func auditActor(ctx context.Context, e counselling.AuditEntry) string {
	if e.ActorLabel != "" {
		return T(ctx, e.ActorLabel)
	}
	return StaffName(ctx, e.Actor)
}

// auditDetail tells an audit entry's detail in the reader's language; the
// arguments an admin typed stay as typed, and entries recorded before
// details were kept as messages are shown as they were written.
func auditDetail(ctx context.Context, e counselling.AuditEntry) string {
	if e.Said.ID == "" {
		return e.Detail
	}
	pairs := make([]any, 0, 2*len(e.Said.Args))
	for k, v := range e.Said.Args {
		if slices.Contains(e.Said.Translated, k) {
			v = T(ctx, v)
		}
		pairs = append(pairs, k, v)
	}
	return Tf(ctx, e.Said.ID, pairs...)
}

// LanguageName is the name of the language lang in the reader's language.
func LanguageName(ctx context.Context, lang string) string {
	if name, ok := counselling.LanguageNames[lang]; ok {
		return T(ctx, name)
	}
	return lang
}

// placeholderMark stands in for a link inside a translated sentence: the
// sentence is translated whole, so that each language puts the link where
// its word order needs it, and then split around the mark.
const placeholderMark = "\x00"

// around splits a translated sentence at placeholderMark.
func around(s string) (before, after string) {
	before, after, _ = strings.Cut(s, placeholderMark)
	return before, after
}

// Redacted is a training fragment's text with its placeholders ([NAME],
// [PLACE], …) in the language of ctx.
func Redacted(ctx context.Context, text string) string {
	for _, p := range redact.Placeholders {
		if strings.Contains(text, p) {
			text = strings.ReplaceAll(text, p, T(ctx, p))
		}
	}
	return text
}
