package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"confidant/counselling"
	"confidant/templates"

	"golang.org/x/net/html"
)

// emergencyLink is the tel: link of the emergency hint and the position of
// the hint among the elements of <main>.
func emergencyLink(t *testing.T, body string) (href, text, hint string, position int) {
	t.Helper()
	d := parse(t, body)
	mains := d.all("main", nil)
	if len(mains) != 1 {
		t.Fatal("no <main>")
	}
	i := 0
	for n := mains[0].FirstChild; n != nil; n = n.NextSibling {
		if n.Type != html.ElementNode {
			continue
		}
		i++
		for _, a := range (doc{t: t, root: n}).all("a", func(a *html.Node) bool { return strings.HasPrefix(attr(a, "href"), "tel:") }) {
			return attr(a, "href"), textOf(a), textOf(n), i
		}
	}
	return "", "", "", 0
}

func TestTheEmergencyNumberIsNearTheTopAndDials(t *testing.T) {
	o := newOffice(t)
	b := o.browser()
	for _, path := range []string{"/?lang=de", "/o/main?lang=de"} {
		href, text, hint, pos := emergencyLink(t, b.get(path).body)
		if href != "tel:112" || text != "112" {
			t.Errorf("%s: the emergency link is %q %q, want tel:112", path, href, text)
		}
		if pos == 0 || pos > 2 {
			t.Errorf("%s: the emergency hint is element %d of the page, not near the top", path, pos)
		}
		if want := "Ruf den Notruf 112 an."; !strings.Contains(hint, want) || !strings.Contains(hint, "Notruf") {
			t.Errorf("%s: the hint reads %q, not German", path, hint)
		}
	}

	admin := o.enrol(counselling.RoleAdmin, "Ada Admin")
	admin.get("/admin/settings?lang=de")
	settings := func(number string) url.Values {
		return url.Values{"name": {"Confidant"}, "answer_time": {"within 2 working days"}, "emergency_number": {number},
			"retain_mail_months": {"12"}, "inactive_account_months": {"24"}, "chat_transcript_months": {"6"}}
	}
	for _, bad := range []string{"112; call me", "javascript:alert(1)", "1"} {
		p := admin.post("/admin/settings", settings(bad))
		if p.status != http.StatusUnprocessableEntity {
			t.Errorf("emergency number %q: %d, want 422", bad, p.status)
		}
		d := parse(t, p.body)
		if !d.hasText(templates.Translate("de", "Please give the emergency number in digits, with spaces or a leading + if you like.", nil, nil)) &&
			!d.hasText(templates.Translate("de", "Please give an emergency number of 2 to 20 digits.", nil, nil)) {
			t.Errorf("emergency number %q: the page does not say what is wrong, in German", bad)
		}
	}
	if href, _, _, _ := emergencyLink(t, b.get("/").body); href != "tel:112" {
		t.Fatalf("a refused number changed the link to %q", href)
	}
	admin.mustPost("/admin/settings", settings("+49 800 111 0 111"), "/admin/settings")
	href, text, _, _ := emergencyLink(t, b.get("/?lang=nl").body)
	if href != "tel:+498001110111" || text != "+49 800 111 0 111" {
		t.Errorf("after the admin set +49 800 111 0 111, the link is %q %q", href, text)
	}
}

func TestPageTitlesAreTranslated(t *testing.T) {
	o := newOffice(t)
	b := o.browser()
	for lang, want := range map[string]string{"de": "Willkommen", "da": "Velkommen", "nl": "Welkom", "en": "Welcome"} {
		if got := parse(t, b.get("/?lang="+lang).body).title(); !strings.HasPrefix(got, want+" ") {
			t.Errorf("%s: the start page's title is %q", lang, got)
		}
	}
}

func TestTheGenderMenuOffersDistinctChoices(t *testing.T) {
	o := newOffice(t)
	for _, lang := range []string{"en", "de", "da", "nl"} {
		d := parse(t, o.browser().get("/register?lang="+lang).body)
		for _, sel := range d.all("select", func(n *html.Node) bool { return attr(n, "name") == "gender" || attr(n, "name") == "age_band" }) {
			seen := map[string]bool{}
			for _, opt := range (doc{t: t, root: sel}).all("option", nil) {
				if text := textOf(opt); seen[text] {
					t.Errorf("%s: the %s menu offers %q twice", lang, attr(sel, "name"), text)
				} else {
					seen[text] = true
				}
			}
			if len(seen) < 4 {
				t.Errorf("%s: the %s menu has %d choices", lang, attr(sel, "name"), len(seen))
			}
		}
	}
}

// termsOnRegister is the terms text on the registration page, the language
// it is marked with, and whether the page says it is not in the reader's.
func termsOnRegister(t *testing.T, b *browser, lang string) (text, textLang string, note bool) {
	t.Helper()
	d := parse(t, b.get("/register?lang="+lang).body)
	for _, p := range d.all("p", func(n *html.Node) bool { return attr(n, "class") == "terms" }) {
		text, textLang = textOf(p), attr(p, "lang")
	}
	return text, textLang, len(d.all("", func(n *html.Node) bool { return attr(n, "id") == "terms-language-note" })) > 0
}

func TestPrivacyTermsInTheReadersLanguage(t *testing.T) {
	o := newOffice(t)
	b := o.browser()
	// The default terms come in every language.
	for _, lang := range []string{"de", "da", "nl"} {
		text, textLang, note := termsOnRegister(t, b, lang)
		want := strings.Join(strings.Fields(counselling.DefaultTerms[lang]), " ")
		if text != want || textLang != lang || note || strings.Contains(text, "We keep what you write") {
			t.Errorf("%s: the default terms read %q (%s, note %v)", lang, text, textLang, note)
		}
	}

	// A new version published in English: other languages see it with a note.
	admin := o.enrol(counselling.RoleAdmin, "Ada Admin")
	admin.mustPost("/admin/terms", url.Values{"terms_lang": {"en"}, "terms_text": {"Version two, in English."}, "terms_kind": {"new"}}, "/admin/settings")
	text, textLang, note := termsOnRegister(t, b, "de")
	if text != "Version two, in English." || textLang != "en" || !note {
		t.Errorf("German reader of English-only terms: %q (%s), note %v", text, textLang, note)
	}
	if _, _, note := termsOnRegister(t, b, "en"); note {
		t.Error("an English reader is told the English terms are not in their language")
	}

	// Its German translation: German readers see it, without a note and
	// without a new version; Danish readers still see the English text.
	admin.mustPost("/admin/terms", url.Values{"terms_lang": {"de"}, "terms_text": {"Fassung zwei, auf Deutsch."}, "terms_kind": {"translation"}}, "/admin/settings")
	if text, textLang, note := termsOnRegister(t, b, "de"); text != "Fassung zwei, auf Deutsch." || textLang != "de" || note {
		t.Errorf("German reader after the translation: %q (%s), note %v", text, textLang, note)
	}
	if _, textLang, note := termsOnRegister(t, b, "da"); textLang != "en" || !note {
		t.Errorf("Danish reader after the German translation: %s, note %v", textLang, note)
	}
	if !strings.Contains(b.get("/register?lang=de").body, "(Version 2)") {
		t.Error("a translation changed the version")
	}

	// A translation cannot replace the text the version was published in.
	p := admin.post("/admin/terms", url.Values{"terms_lang": {"en"}, "terms_text": {"Sneaky rewrite."}, "terms_kind": {"translation"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Errorf("a translation into the version's own language: %d, want 422", p.status)
	}
	if text, _, _ := termsOnRegister(t, b, "en"); text != "Version two, in English." {
		t.Errorf("a refused translation changed the terms to %q", text)
	}
}
