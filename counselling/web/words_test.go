package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/mail"
	"confidant/counselling/mail/mailtest"
	"confidant/counselling/web"
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

// crawlIn visits every page reachable by links from start as b, in the
// language lang, and hands each HTML page to check. Links that would switch
// the language or between standard and easy language, log out or leave the
// office are not followed.
func crawlIn(b *browser, lang, start string, seen map[string]bool, check func(path, body string)) {
	queue := []string{start}
	for len(queue) > 0 && len(seen) < 400 {
		path := queue[0]
		queue = queue[1:]
		key := path
		for _, param := range []string{"lang=" + lang, "easy=1"} {
			key = strings.Replace(strings.Replace(key, "?"+param, "", 1), "&"+param, "", 1)
		}
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
			if l := u.Query().Get("lang"); (l != "" && l != lang) || u.Query().Get("easy") == "0" {
				continue
			}
			queue = append(queue, href)
		}
	}
}

// wordsScene is an office with something on every page: a help-seeker's
// conversations, one answered, noted and flagged, one answered by a trainee
// and waiting for approval, an enquiry in the queue, a running guest chat and
// an open staff invitation.
type wordsScene struct {
	o                                      *office
	admin, supervisor, counsellor, trainee *staffMember
	seeker, guest                          *browser
	first, second, chat, invite            string
	// data is what the pages show as it is: what people typed, slugs, the
	// brand's name, the time zone of a date, the privacy terms' text.
	data []string
}

func newWordsScene(t *testing.T) *wordsScene {
	// Device notifications are on, so that the account page offers them.
	o := newOffice(t, func(c *web.Config) { c.PushKey = testP256dh })
	o.addRegions(counselling.DefaultOfficeSlug, "Nordhafen")
	sc := &wordsScene{o: o}
	sc.admin = o.enrol(counselling.RoleAdmin, "Ada Admin")
	sc.supervisor = o.enrol(counselling.RoleSupervisor, "Sina Supervisor")
	sc.counsellor = o.enrol(counselling.RoleCounsellor, "Gus Berater")
	sc.trainee = o.enrol(counselling.RoleCounsellor, "Tina Neu")
	sc.admin.mustPost("/admin/staff/"+sc.trainee.id+"/trainee", url.Values{"trainee": {"1"}}, "/admin")
	sc.seeker = o.browser()
	if p := sc.seeker.post("/register?lang=de", registration("Feder Wind", "a fine long password")); p.status != http.StatusSeeOther {
		t.Fatalf("register: %d", p.status)
	}
	sc.first = sc.seeker.write("family", "Mein Betreff", "Meine erste Nachricht.")
	sc.second = sc.seeker.write("anxiety", "Zweiter Betreff", "Noch eine Nachricht.")
	c, first, second := sc.counsellor, sc.first, sc.second
	c.mustPost("/inbox/"+first+"/take", nil, "/inbox/"+first)
	c.mustPost("/inbox/"+first+"/reply", url.Values{"body": {"Eine Antwort von Gus."}}, "/inbox/"+first)
	c.mustPost("/inbox/"+first+"/note", url.Values{"body": {"Eine Notiz von Gus."}}, "/inbox/"+first)
	c.mustPost("/inbox/"+first+"/flag", url.Values{"reason": {"a risk to others"}}, "/inbox/"+first)
	sc.trainee.mustPost("/inbox/"+second+"/take", nil, "/inbox/"+second)
	sc.trainee.mustPost("/inbox/"+second+"/reply", url.Values{"body": {"Danke, dass du schreibst."}}, "/inbox/"+second)
	o.enquiries(counselling.DefaultOfficeSlug, "loneliness", 1, "20-29")
	sc.guest, sc.chat = startGuestChat(t, o, "anxiety")
	c.mustPost("/live/"+sc.chat+"/accept", nil, "/live/"+sc.chat)
	var err error
	sc.invite, err = o.db.CreateStaff(context.Background(), counselling.NewStaff{OfficeID: o.officeID(counselling.DefaultOfficeSlug),
		Role: counselling.RoleCounsellor, Name: "Neue Kollegin"})
	if err != nil {
		t.Fatal(err)
	}
	// The help-seeker has a free appointment to book and a booked one, is
	// in a group chat that runs, and may rate a conversation that ended.
	publishSlotIn(t, o, c, 2*time.Hour, "chat")
	booked := publishSlotIn(t, o, c, 3*time.Hour, "video")
	sc.seeker.mustPost("/live/slots/"+booked+"/book", nil, "/live")
	at := func(d time.Duration) string { return officeClock(t, o.db.Clock.Now().Add(d)) }
	sc.admin.mustPost("/live/groups", url.Values{"theme": {"Eltern-Runde"}, "rules": {"Seid freundlich zueinander."},
		"starts_at": {at(2 * time.Minute)}, "ends_at": {at(time.Hour)}, "max_size": {"8"}, "moderator": {c.id}}, "/live/groups")
	group := groupOnPage.FindStringSubmatch(sc.admin.get("/live/groups").body)
	if group == nil {
		t.Fatal("the scheduled group chat is not listed")
	}
	sc.seeker.mustPost("/live/groups/"+group[1]+"/join", url.Values{"accept_rules": {"yes"}}, "/live/groups/"+group[1])
	sc.seeker.mustPost("/live/groups/"+group[1]+"/say", url.Values{"body": {"Hallo in die Runde."}}, "/live/groups/"+group[1]+"#group-form")
	closedThread(sc.seeker, c, "Dritter Betreff")
	sc.data = []string{"Confidant", "UTC", "Eltern-Runde", "Seid freundlich zueinander.", "Hallo in die Runde.", "Dritter Betreff",
		"a message about Dritter Betreff", "an answer", counselling.DefaultTimeZone, "Ada Admin", "Sina Supervisor", "Gus Berater", "Tina Neu", "Feder Wind", "Nordhafen",
		"Mein Betreff", "Zweiter Betreff", "Meine erste Nachricht.", "Noch eine Nachricht.", "Eine Antwort von Gus.",
		"Eine Notiz von Gus.", "Danke, dass du schreibst.", "Region Keeper", "a risk to others", "Neue Kollegin", "nordhafen", "/o/" + counselling.DefaultOfficeSlug}
	// Slugs are shown as they are, as are the names of the languages in
	// the language menu.
	for _, th := range counselling.DefaultThemes {
		sc.data = append(sc.data, th.Slug)
	}
	for _, l := range templates.Languages {
		sc.data = append(sc.data, l.Label)
	}
	for _, text := range counselling.DefaultTerms {
		sc.data = append(sc.data, templates.Paragraphs(text)...)
	}
	// Longest first, so that no shorter datum cuts a longer one apart.
	slices.SortFunc(sc.data, func(a, b string) int { return len(b) - len(a) })
	return sc
}

// walk hands check every page a visitor, a guest, a new staff member, the
// help-seeker and (unless seekersOnly) each staff member reaches by links in
// lang, with query (such as "&easy=1") added to where each starts, and the
// pages of refused forms. It returns how many pages it checked.
func (sc *wordsScene) walk(lang, query string, seekersOnly bool, check func(who, path, body string)) int {
	pages := 0
	checker := func(who string) func(path, body string) {
		return func(path, body string) {
			pages++
			check(who, path, body)
		}
	}
	q := "?lang=" + lang + query
	seen := map[string]bool{}
	visitor := sc.o.browser()
	crawlIn(visitor, lang, "/"+q, seen, checker("a visitor on"))
	crawlIn(visitor, lang, "/live"+q, seen, checker("a visitor on"))
	crawlIn(sc.guest, lang, "/live/"+sc.chat+q, map[string]bool{}, checker("a guest on"))
	for _, form := range []struct {
		path   string
		values url.Values
	}{
		{"/register" + q, url.Values{"nickname": {"x"}}},
		{"/login" + q, url.Values{"nickname": {"Feder Wind"}, "password": {"wrong password"}}},
	} {
		checker("a visitor refused on")(form.path, visitor.post(form.path, form.values).body)
	}
	type walker struct {
		name string
		b    *browser
	}
	walkers := []walker{{"a help-seeker on", sc.seeker}}
	if !seekersOnly {
		crawlIn(sc.o.browser(), lang, "/invite/"+sc.invite+q, seen, checker("a new staff member on"))
		walkers = append(walkers, walker{"a counsellor on", sc.counsellor.browser}, walker{"a trainee on", sc.trainee.browser},
			walker{"a supervisor on", sc.supervisor.browser}, walker{"an admin on", sc.admin.browser})
	}
	for _, w := range walkers {
		w.b.get("/" + q)
		crawlIn(w.b, lang, "/", map[string]bool{}, checker(w.name))
	}
	type refusal struct {
		b      *browser
		path   string
		values url.Values
	}
	refusals := []refusal{
		{sc.seeker, "/threads/new", url.Values{"subject": {"Ohne Text"}}},
		{sc.seeker, "/threads/" + sc.first + "/reply", url.Values{"body": {""}}},
		{sc.seeker, "/account", url.Values{"email": {"nope"}}},
		{sc.seeker, "/account/password", url.Values{"current_password": {"wrong"}}},
	}
	if !seekersOnly {
		refusals = append(refusals,
			refusal{sc.counsellor.browser, "/inbox/" + sc.first + "/reply", url.Values{"body": {""}}},
			refusal{sc.admin.browser, "/admin/settings", url.Values{"name": {""}}},
			refusal{sc.admin.browser, "/admin/staff", url.Values{"name": {"x"}}},
			refusal{sc.admin.browser, "/admin/themes", url.Values{"name": {""}}})
	}
	for _, r := range refusals {
		checker("a refused form on")(r.path, r.b.post(r.path, r.values).body)
	}
	return pages
}

// TestEveryGermanPageIsTranslated walks, in German, every page a visitor, a
// guest, a help-seeker, a counsellor, a trainee, a supervisor and an admin
// reach by links, and refused forms, while every translated text is marked:
// any visible text without the mark was written into a template or code (as
// the staff menu's "Inbox" and the QR code's alt text once were) and reaches
// every reader in English.
func TestEveryGermanPageIsTranslated(t *testing.T) {
	sc := newWordsScene(t)
	stop := templates.MarkTranslations()
	defer stop()
	pages := sc.walk("de", "", false, func(who, path, body string) {
		for _, text := range untranslatedText(t, body, sc.data) {
			t.Errorf("%s %s: text in no catalogue: %q", who, path, text)
		}
	})
	stop()
	// The training fragment's download speaks German too.
	download := sc.supervisor.get("/inbox/" + sc.second + "/fragment?download=1").body
	if !strings.Contains(download, "Ratsuchende*r:\n") || !strings.Contains(download, "Berater*in:\n") {
		t.Errorf("the German training fragment's download is not German:\n%s", download)
	}
	if pages < 30 {
		t.Fatalf("only %d pages checked: the walk is broken", pages)
	}
	t.Logf("%d pages checked", pages)
}

// TestFormalGermanCoversEveryPage: in an office that chose "Sie", every
// German page of every reader is drawn from the formal catalogue, which lacks
// none of the messages they show, and the pages say "Sie".
func TestFormalGermanCoversEveryPage(t *testing.T) {
	sc := newWordsScene(t)
	if p := sc.admin.get("/admin/settings?lang=de"); !strings.Contains(p.body, "„du“ (informell, voreingestellt)") {
		t.Fatal("the settings page does not offer the choice of du and Sie")
	}
	sc.admin.mustPost("/admin/settings/language", url.Values{"german_address": {"sie"}}, "/admin/settings")
	misses := map[string]bool{}
	stop := templates.RecordVariantMisses(func(catalogue, id string) { misses[catalogue+": "+id] = true })
	defer stop()
	pages := sc.walk("de", "", false, func(who, path, body string) {
		text := textOf(parse(t, body).root)
		for _, d := range sc.data {
			text = strings.ReplaceAll(text, strings.Join(strings.Fields(d), " "), " ")
		}
		if du := regexp.MustCompile(`\b(?:[Dd]u|[Dd]ich|[Dd]ir|[Dd]ein\w*)\b`).FindString(text); du != "" && !strings.Contains(body, "„du“") {
			t.Errorf("%s %s: the formal page says %q", who, path, du)
		}
	})
	stop()
	for m := range misses {
		t.Errorf("a formal German page shows a message its catalogue lacks: %s", m)
	}
	if pages < 30 {
		t.Fatalf("only %d pages checked: the walk is broken", pages)
	}
	if p := sc.o.browser().get("/?lang=de"); !strings.Contains(p.body, "Sind Sie gerade in Gefahr?") {
		t.Error("the German landing page of an office with Sie does not say Sie")
	}
	if p := sc.o.browser().get("/?lang=da"); !strings.Contains(p.body, "Er du i fare lige nu?") {
		t.Error("the Danish landing page changed with the German form of address")
	}
}

// TestEasyLanguageCoversEveryHelpSeekerPage: in an office that offers easy
// language, every help-seeker page in each language links to its easy
// version, and the easy pages, reached by that link and kept by the links on
// them, lack no message in the easy catalogue; back on standard language the
// pages are as before.
func TestEasyLanguageCoversEveryHelpSeekerPage(t *testing.T) {
	sc := newWordsScene(t)
	if p := sc.o.browser().get("/?lang=de"); strings.Contains(p.body, "Leichte Sprache") {
		t.Fatal("an office that does not offer easy language links to it")
	}
	sc.admin.mustPost("/admin/settings/language", url.Values{"german_address": {"du"}, "easy_language": {"1"}}, "/admin/settings")
	// Every help-seeker page in standard language offers the easy version.
	offer := regexp.MustCompile(`<a href="[^"]*easy=1"[^>]*>` + regexp.QuoteMeta(templates.Translate("de", "Easy language", nil, nil)) + `</a>`)
	if pages := sc.walk("de", "", true, func(who, path, body string) {
		if !offer.MatchString(body) {
			t.Errorf("%s %s does not link to its easy-language version", who, path)
		}
	}); pages < 10 {
		t.Fatalf("only %d pages checked in standard language: the walk is broken", pages)
	}
	for _, l := range templates.Languages {
		landing := parse(t, sc.o.browser().get("/?lang="+l.Value).body)
		link := landing.all("a", func(n *html.Node) bool { return strings.Contains(attr(n, "href"), "easy=1") })
		if len(link) != 1 || textOf(link[0]) != templates.Translate(l.Value, "Easy language", nil, nil) {
			t.Fatalf("%s: the landing page has no link to easy language", l.Value)
		}
		misses := map[string]bool{}
		stop := templates.RecordVariantMisses(func(catalogue, id string) { misses[catalogue+": "+id] = true })
		pages := sc.walk(l.Value, "&easy=1", true, func(who, path, body string) {
			back := templates.TranslateIn(l.Value, counselling.Register{Easy: true}, "Show this page in standard language", nil, nil)
			if !strings.Contains(body, ">"+back+"</a>") {
				t.Errorf("%s: %s %s is not in easy language (no link back)", l.Value, who, path)
			}
		})
		stop()
		for m := range misses {
			t.Errorf("an easy-language page shows a message its catalogue lacks: %s", m)
		}
		if pages < 10 {
			t.Fatalf("%s: only %d pages checked: the walk is broken", l.Value, pages)
		}
		// The help-seeker's choice is remembered with their account; the
		// link back ends it.
		sc.seeker.get("/threads?easy=0")
		if p := sc.seeker.get("/threads"); strings.Contains(p.body, "easy=0") {
			t.Errorf("%s: the help-seeker still reads easy language after choosing standard", l.Value)
		}
	}
	// A visitor who opens an account (or logs in) in easy language goes on
	// reading it, and the account keeps the choice.
	newcomer := sc.o.browser()
	if p := newcomer.post("/register?lang=de&easy=1", registration("Leise Lerche", "a fine long password")); p.status != http.StatusSeeOther ||
		p.header.Get("Location") != "/threads?easy=1" {
		t.Fatalf("registering in easy language: %d to %q", p.status, p.header.Get("Location"))
	}
	back := templates.TranslateIn("de", counselling.Register{Easy: true}, "Show this page in standard language", nil, nil)
	for _, path := range []string{"/threads?easy=1", "/account"} {
		if p := newcomer.get(path); !strings.Contains(p.body, ">"+back+"</a>") {
			t.Errorf("after registering in easy language, %s is not in easy language", path)
		}
	}
	// Staff pages have no easy version and no link to one.
	if p := sc.counsellor.get("/inbox?easy=1"); strings.Contains(p.body, "easy=") {
		t.Error("a staff page links to easy language")
	}
}

// TestMailsSpeakTheReadersForm: a help-seeker of an office that chose "Sie"
// gets German mails that say "Sie"; once they read easy language, their
// mails are in easy language, which says "du".
func TestMailsSpeakTheReadersForm(t *testing.T) {
	smtp := mailtest.Start(t)
	o := newOffice(t, func(c *web.Config) { c.MailEnabled = true })
	sender, err := mail.ParseURL(smtp.URL(), "Confidant <no-reply@localhost>")
	if err != nil {
		t.Fatal(err)
	}
	w := mail.NewWorker(o.db, sender, o.srv.URL, translate, slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.SetForms(func(lang string, r counselling.Register, id string, data map[string]any) string {
		return templates.TranslateIn(lang, r, id, data, nil)
	})
	admin := o.enrol(counselling.RoleAdmin, "Ada Admin")
	counsellor := o.enrol(counselling.RoleCounsellor, "Gus Berater")
	admin.mustPost("/admin/settings/language", url.Values{"german_address": {"sie"}}, "/admin/settings")
	b := o.browser()
	form := registration("Deutsche Feder", "a fine long password")
	form.Set("email", "feder@example.org")
	b.mustPost("/register?lang=de", form, "/threads")
	id := b.write("family", "", "Hallo")
	w.RunOnce(context.Background())
	mails := smtp.Mails()
	if len(mails) != 1 || !strings.Contains(mails[0].Data, "Subject: Ihre Nachricht ist angekommen") {
		t.Fatalf("the confirmation does not say Sie: %+v", mails)
	}

	admin.mustPost("/admin/settings/language", url.Values{"german_address": {"sie"}, "easy_language": {"1"}}, "/admin/settings")
	b.get("/threads?easy=1")
	counsellor.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	counsellor.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"Danke für deine Nachricht."}}, "/inbox/"+id)
	w.RunOnce(context.Background())
	mails = smtp.Mails()
	if len(mails) != 2 || !strings.Contains(mails[1].Data, "Subject: Du hast eine neue Nachricht") {
		t.Fatalf("the reply notice to a reader of easy language is not in easy language: %+v", mails)
	}
}
