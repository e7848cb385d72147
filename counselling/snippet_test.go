package counselling_test

import (
	"strings"
	"testing"

	"confidant/counselling"
)

func TestSnippetValidate(t *testing.T) {
	rows := []struct {
		name    string
		snippet counselling.Snippet
		field   string // "" when valid
		message string
	}{
		{"a title and a text", counselling.Snippet{Title: "Greeting", Body: "Thank you for writing to us.", Lang: "en"}, "", ""},
		{"the longest title and text", counselling.Snippet{Title: strings.Repeat("t", 80), Body: strings.Repeat("b", 2000), Lang: "de"}, "", ""},
		{"a text over the limit", counselling.Snippet{Title: "Long", Body: strings.Repeat("b", 2001), Lang: "en"}, "body",
			"A snippet's text may be at most 2,000 characters long. Please shorten it or make two snippets."},
		{"the limit counts characters, not bytes", counselling.Snippet{Title: "Umlauts", Body: strings.Repeat("ü", 2000), Lang: "de"}, "", ""},
		{"a title over the limit", counselling.Snippet{Title: strings.Repeat("t", 81), Body: "text", Lang: "en"}, "title",
			"A snippet's title may be at most 80 characters long."},
		{"no title", counselling.Snippet{Title: "   ", Body: "text", Lang: "en"}, "title", "Please write something first."},
		{"no text", counselling.Snippet{Title: "Empty", Body: "", Lang: "en"}, "body", "Please write something first."},
		{"an unknown language", counselling.Snippet{Title: "Hello", Body: "text", Lang: "xx"}, "lang", "Please choose a language from the list."},
		{"control characters", counselling.Snippet{Title: "Bell", Body: "ring\a", Lang: "en"}, "body", "The text contains control characters that are not allowed."},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			s := r.snippet
			err := s.Validate()
			if r.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if got := counselling.ErrorFields(err)[r.field]; got != r.message {
				t.Fatalf("%s: %q, want %q", r.field, got, r.message)
			}
		})
	}
}

func TestSnippetScopes(t *testing.T) {
	none := counselling.SnippetScope{None: true}
	rows := []struct {
		name             string
		caller           counselling.Caller
		kept, insertable counselling.SnippetScope
	}{
		{"a counsellor keeps and inserts their own, and inserts the office's", counsellor,
			counselling.SnippetScope{OfficeID: 1, OwnerID: "c1"}, counselling.SnippetScope{OfficeID: 1, OwnerID: "c1", OfficeWide: true}},
		{"a trainee the same", trainee,
			counselling.SnippetScope{OfficeID: 1, OwnerID: "t1"}, counselling.SnippetScope{OfficeID: 1, OwnerID: "t1", OfficeWide: true}},
		{"a supervisor the same", supervisor,
			counselling.SnippetScope{OfficeID: 2, OwnerID: "v1"}, counselling.SnippetScope{OfficeID: 2, OwnerID: "v1", OfficeWide: true}},
		{"an admin keeps the office's and inserts none", admin, counselling.SnippetScope{OfficeID: 1, OfficeWide: true}, none},
		{"an admin of another office keeps that office's", otherAdmin, counselling.SnippetScope{OfficeID: 2, OfficeWide: true}, none},
		{"a help-seeker none", seeker, none, none},
		{"a guest none", guest, none, none},
		{"nobody none", counselling.Caller{}, none, none},
	}
	for _, r := range rows {
		if got := counselling.KeptSnippets(r.caller); got != r.kept {
			t.Errorf("%s: kept %+v, want %+v", r.name, got, r.kept)
		}
		if got := counselling.InsertableSnippets(r.caller); got != r.insertable {
			t.Errorf("%s: insertable %+v, want %+v", r.name, got, r.insertable)
		}
	}
}

func TestInsertSnippet(t *testing.T) {
	rows := []struct{ body, snippet, want string }{
		{"", "Thank you for writing.", "Thank you for writing."},
		{"Dear friend,", "Thank you for writing.", "Dear friend,\n\nThank you for writing."},
		{"Dear friend,\n\n  \n", "Thank you.", "Dear friend,\n\nThank you."},
		{"  indented start", "x", "  indented start\n\nx"},
	}
	for _, r := range rows {
		if got := counselling.InsertSnippet(r.body, r.snippet); got != r.want {
			t.Errorf("InsertSnippet(%q, %q) = %q, want %q", r.body, r.snippet, got, r.want)
		}
	}
}
