package templates

import (
	"context"
	"strings"
	"time"
)

// When formats a moment for a page.
func When(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") }

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
