package templates_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"confidant/counselling"
	"confidant/templates"
)

// placeholders lists the {{.Name}} placeholders of a text, sorted.
func placeholders(text string) []string {
	found := placeholder.FindAllString(text, -1)
	slices.Sort(found)
	return slices.Compact(found)
}

var (
	// Informal address in German: the pronouns and the verb forms and
	// imperatives the catalogues use.
	duForms = regexp.MustCompile(`(?i)(?:^|[^\pL])(du|dich|dir|dein\pL*|hast|bist|kannst|willst|möchtest|darfst|musst|brauchst|wirst|wähle|schreib|lies|gib|lass|öffne|melde|versuch es|warte|bleib|nimm|nutze|drück|frag|lade|schau|tippe|sende|scanne|ruf|kürze|korrigiere|lösche|registriere|geh)(?:[^\pL]|$)`)
	// A quoted "du", as the settings page offers the choice.
	quotedDu = regexp.MustCompile(`[„‘»]du[“’«]`)
)

// TestTheFormalCatalogueSaysSie fails on a message of the formal German
// catalogue that still says "du", or that another catalogue does not know or
// whose placeholders differ from the German ones.
func TestTheFormalCatalogueSaysSie(t *testing.T) {
	de := catalogueTexts(t, "de")
	formal := catalogueTexts(t, templates.FormalCatalogue("de"))
	for id, text := range formal {
		informal, ok := de[id]
		if !ok {
			t.Errorf("de-formal: %q is in no German catalogue", id)
			continue
		}
		if m := duForms.FindString(quotedDu.ReplaceAllString(text, "")); m != "" {
			t.Errorf("de-formal: %q says %q: %q", id, m, text)
		}
		if !slices.Equal(placeholders(text), placeholders(informal)) {
			t.Errorf("de-formal: %q has placeholders %v, German %v", id, placeholders(text), placeholders(informal))
		}
	}
	ctx := templates.WithRegister(templates.WithLanguage(context.Background(), "de"), counselling.Register{Formal: true})
	if got := templates.T(ctx, "In danger right now?"); got != "Sind Sie gerade in Gefahr?" {
		t.Errorf("formal German: %q", got)
	}
	if got := templates.Tn(ctx, "your {{.Count}} conversations, with every message, are deleted;", 1); got != "Ihr Gespräch mit allen Nachrichten wird gelöscht;" {
		t.Errorf("formal German singular: %q", got)
	}
	if got := templates.Tn(ctx, "your {{.Count}} conversations, with every message, are deleted;", 3); got != "Ihre 3 Gespräche mit allen Nachrichten werden gelöscht;" {
		t.Errorf("formal German plural: %q", got)
	}
}

// easyLimit is the most words a sentence of easy language has.
const easyLimit = 14

var sentenceEnd = regexp.MustCompile(`[.!?:]\s+|\n+`)

// TestTheEasyCataloguesAreEasy fails when the easy-language catalogues do not
// hold the same messages in every language, hold one no standard catalogue
// knows or with other placeholders, or break the rules of easy language that
// a program can see: a sentence longer than easyLimit words, or two ideas
// joined by a semicolon. That they hold every message a help-seeker page
// shows is checked by drawing those pages (counselling/web).
func TestTheEasyCataloguesAreEasy(t *testing.T) {
	de := catalogueTexts(t, "de")
	english := catalogueTexts(t, templates.EasyCatalogue("en"))
	if len(english) < 100 {
		t.Fatalf("only %d easy-language messages", len(english))
	}
	for _, l := range templates.Languages {
		easy := catalogueTexts(t, templates.EasyCatalogue(l.Value))
		for id := range english {
			if _, ok := easy[id]; !ok {
				t.Errorf("%s-easy lacks %q, which en-easy has", l.Value, id)
			}
		}
		for id, text := range easy {
			if _, ok := de[id]; !ok {
				t.Errorf("%s-easy: %q is in no standard catalogue", l.Value, id)
			}
			if !slices.Equal(placeholders(text), placeholders(id)) {
				t.Errorf("%s-easy: %q has placeholders %v, want %v", l.Value, id, placeholders(text), placeholders(id))
			}
			for _, form := range strings.Split(text, " | ") {
				if strings.Contains(form, ";") {
					t.Errorf("%s-easy: %q joins two ideas with a semicolon: %q", l.Value, id, form)
				}
				for _, sentence := range sentenceEnd.Split(form, -1) {
					if n := len(strings.Fields(sentence)); n > easyLimit {
						t.Errorf("%s-easy: %q has a sentence of %d words: %q", l.Value, id, n, sentence)
					}
				}
			}
		}
	}
	// Every mail a help-seeker may get is in easy language too.
	for _, k := range []counselling.NoticeKind{counselling.NoticeReceived, counselling.NoticeReply, counselling.NoticeInactive,
		counselling.NoticeDelayed, counselling.NoticeCallbackExpired, counselling.NoticeReset,
		counselling.NoticeAppointmentBooked, counselling.NoticeAppointmentCancelled} {
		subject, body := counselling.NoticeText(k)
		for _, id := range []string{subject, body} {
			if _, ok := english[id]; !ok {
				t.Errorf("the easy catalogues lack the help-seeker mail %q", id)
			}
		}
	}
	ctx := templates.WithRegister(templates.WithLanguage(context.Background(), "de"), counselling.Register{Easy: true, Formal: true})
	if got := templates.T(ctx, "There is a problem"); got != "Da stimmt etwas nicht" {
		t.Errorf("easy German: %q", got)
	}
}
