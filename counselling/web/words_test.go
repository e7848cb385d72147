package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"confidant/counselling"
	"confidant/templates"

	"golang.org/x/net/html"
)

// textAttributes are the attributes whose values a reader sees or hears.
var textAttributes = []string{"alt", "title", "aria-label", "placeholder"}

// unmarked returns the text of s outside MarkOpen … MarkClose; depth carries
// an open mark from one piece of text to the next, as a translated sentence
// may hold a link (its text is the translation's data).
func unmarked(s string, depth *int) string {
	var b strings.Builder
	for _, r := range s {
		switch string(r) {
		case templates.MarkOpen:
			*depth++
		case templates.MarkClose:
			if *depth > 0 {
				*depth--
			}
		default:
			if *depth == 0 {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

var (
	wordRun = regexp.MustCompile(`\pL{2,}`)
	// A code to copy down (a recovery code) is shown as it is.
	codeRun = regexp.MustCompile(`\b[A-Z0-9]{4}(?:-[A-Z0-9]{4})+\b`)
)

// untranslatedText lists the visible texts of a page that no catalogue gave
// (outside the marks), once the data the page shows as it is (what people
// typed, the brand's name, the time zone of a date) is taken away. Text in
// another language on purpose (an element with its own lang, such as the
// language menu) and text marked translate="no" (a key to type) are left out.
func untranslatedText(t *testing.T, body string, data []string) []string {
	root, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	rest := func(s string) {
		for _, d := range data {
			s = strings.ReplaceAll(s, d, " ")
		}
		s = codeRun.ReplaceAllString(s, " ")
		if words := wordRun.FindAllString(s, -1); len(words) > 0 {
			found = append(found, strings.Join(strings.Fields(s), " "))
		}
	}
	depth := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if n.Data == "script" || n.Data == "style" {
				return
			}
			if lang := attr(n, "lang"); (lang != "" && lang != "de") || attr(n, "translate") == "no" {
				return
			}
			for _, a := range n.Attr {
				d := 0
				if slices.Contains(textAttributes, a.Key) || (a.Key == "value" && n.Data == "input" && slices.Contains([]string{"submit", "button", "reset"}, attr(n, "type"))) {
					rest(unmarked(a.Val, &d))
				}
			}
		}
		if n.Type == html.TextNode {
			rest(unmarked(n.Data, &depth))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return found
}

// crawl visits every page reachable by links from start as b, in German, and
// hands each HTML page to check. Links that would switch the language, log
// out or leave the office are not followed.
func crawl(b *browser, start string, seen map[string]bool, check func(path, body string)) {
	queue := []string{start}
	for len(queue) > 0 && len(seen) < 400 {
		path := queue[0]
		queue = queue[1:]
		key := strings.Replace(strings.Replace(path, "?lang=de", "", 1), "&lang=de", "", 1)
		if seen[key] {
			continue
		}
		seen[key] = true
		p := b.get(path)
		if !strings.HasPrefix(p.header.Get("Content-Type"), "text/html") {
			continue
		}
		check(path, p.body)
		for _, a := range parse(b.o.t, p.body).all("a", nil) {
			href := attr(a, "href")
			u, err := url.Parse(href)
			if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "/static/") {
				continue
			}
			if l := u.Query().Get("lang"); l != "" && l != "de" {
				continue
			}
			queue = append(queue, href)
		}
	}
}

// TestEveryGermanPageIsTranslated walks, in German, every page a visitor, a
// help-seeker, a counsellor, a trainee, a supervisor and an admin reach by
// links, with conversations, notes, a reply waiting for approval and a
// refused form on the way, while every translated text is marked: any
// visible text without the mark was written into a template or code (as the
// staff menu's "Inbox" and the QR code's alt text once were) and reaches
// every reader in English.
func TestEveryGermanPageIsTranslated(t *testing.T) {
	o := newOffice(t)
	o.addRegions(counselling.DefaultOfficeSlug, "Nordhafen")
	admin := o.enrol(counselling.RoleAdmin, "Ada Admin")
	supervisor := o.enrol(counselling.RoleSupervisor, "Sina Supervisor")
	counsellor := o.enrol(counselling.RoleCounsellor, "Gus Berater")
	trainee := o.enrol(counselling.RoleCounsellor, "Tina Neu")
	admin.mustPost("/admin/staff/"+trainee.id+"/trainee", url.Values{"trainee": {"1"}}, "/admin")
	seeker := o.browser()
	if p := seeker.post("/register?lang=de", registration("Feder Wind", "a fine long password")); p.status != http.StatusSeeOther {
		t.Fatalf("register: %d", p.status)
	}
	first := seeker.write("family", "Mein Betreff", "Meine erste Nachricht.")
	second := seeker.write("anxiety", "Zweiter Betreff", "Noch eine Nachricht.")
	counsellor.mustPost("/inbox/"+first+"/take", nil, "/inbox/"+first)
	counsellor.mustPost("/inbox/"+first+"/reply", url.Values{"body": {"Eine Antwort von Gus."}}, "/inbox/"+first)
	counsellor.mustPost("/inbox/"+first+"/note", url.Values{"body": {"Eine Notiz von Gus."}}, "/inbox/"+first)
	counsellor.mustPost("/inbox/"+first+"/flag", url.Values{"reason": {"a risk to others"}}, "/inbox/"+first)
	trainee.mustPost("/inbox/"+second+"/take", nil, "/inbox/"+second)
	trainee.mustPost("/inbox/"+second+"/reply", url.Values{"body": {"Danke, dass du schreibst."}}, "/inbox/"+second)
	o.enquiries(counselling.DefaultOfficeSlug, "loneliness", 1, "20-29")
	guest, chat := startGuestChat(t, o, "anxiety")
	counsellor.mustPost("/live/"+chat+"/accept", nil, "/live/"+chat)
	invite, err := o.db.CreateStaff(context.Background(), counselling.NewStaff{OfficeID: o.officeID(counselling.DefaultOfficeSlug),
		Role: counselling.RoleCounsellor, Name: "Neue Kollegin"})
	if err != nil {
		t.Fatal(err)
	}

	data := []string{"Confidant", "UTC", counselling.DefaultTimeZone, "Ada Admin", "Sina Supervisor", "Gus Berater", "Tina Neu", "Feder Wind", "Nordhafen",
		"Mein Betreff", "Zweiter Betreff", "Meine erste Nachricht.", "Noch eine Nachricht.", "Eine Antwort von Gus.",
		"Eine Notiz von Gus.", "Danke, dass du schreibst.", "Region Keeper", "a risk to others", "Neue Kollegin", "nordhafen", "/o/" + counselling.DefaultOfficeSlug}
	// Slugs are shown as they are, as are the names of the languages in
	// the language menu.
	for _, th := range counselling.DefaultThemes {
		data = append(data, th.Slug)
	}
	for _, l := range templates.Languages {
		data = append(data, l.Label)
	}
	for _, text := range counselling.DefaultTerms {
		data = append(data, templates.Paragraphs(text)...)
	}
	// Longest first, so that no shorter datum cuts a longer one apart.
	slices.SortFunc(data, func(a, b string) int { return len(b) - len(a) })

	stop := templates.MarkTranslations()
	defer stop()
	pages := 0
	check := func(who string) func(path, body string) {
		return func(path, body string) {
			pages++
			for _, text := range untranslatedText(t, body, data) {
				t.Errorf("%s %s: text in no catalogue: %q", who, path, text)
			}
		}
	}
	seen := map[string]bool{}
	visitor := o.browser()
	crawl(visitor, "/?lang=de", seen, check("a visitor on"))
	crawl(visitor, "/live?lang=de", seen, check("a visitor on"))
	crawl(o.browser(), "/invite/"+invite+"?lang=de", seen, check("a new staff member on"))
	crawl(guest, "/live/"+chat+"?lang=de", map[string]bool{}, check("a guest on"))
	for _, form := range []struct {
		path   string
		values url.Values
	}{
		{"/register?lang=de", url.Values{"nickname": {"x"}}},
		{"/login?lang=de", url.Values{"nickname": {"Feder Wind"}, "password": {"wrong password"}}},
	} {
		check("a visitor refused on")(form.path, visitor.post(form.path, form.values).body)
	}
	for _, who := range []struct {
		name string
		b    *browser
	}{{"a help-seeker on", seeker}, {"a counsellor on", counsellor.browser}, {"a trainee on", trainee.browser},
		{"a supervisor on", supervisor.browser}, {"an admin on", admin.browser}} {
		seen := map[string]bool{}
		who.b.get("/?lang=de")
		crawl(who.b, "/", seen, check(who.name))
	}
	for _, form := range []struct {
		b      *browser
		path   string
		values url.Values
	}{
		{seeker, "/threads/new", url.Values{"subject": {"Ohne Text"}}},
		{seeker, "/threads/" + first + "/reply", url.Values{"body": {""}}},
		{seeker, "/account", url.Values{"email": {"nope"}}},
		{seeker, "/account/password", url.Values{"current_password": {"wrong"}}},
		{counsellor.browser, "/inbox/" + first + "/reply", url.Values{"body": {""}}},
		{admin.browser, "/admin/settings", url.Values{"name": {""}}},
		{admin.browser, "/admin/staff", url.Values{"name": {"x"}}},
		{admin.browser, "/admin/themes", url.Values{"name": {""}}},
	} {
		check("a refused form on")(form.path, form.b.post(form.path, form.values).body)
	}
	stop()
	// The training fragment's download speaks German too.
	download := supervisor.get("/inbox/" + second + "/fragment?download=1").body
	if !strings.Contains(download, "Ratsuchende*r:\n") || !strings.Contains(download, "Berater*in:\n") {
		t.Errorf("the German training fragment's download is not German:\n%s", download)
	}
	if pages < 30 {
		t.Fatalf("only %d pages checked: the walk is broken", pages)
	}
	t.Logf("%d pages checked", pages)
}
