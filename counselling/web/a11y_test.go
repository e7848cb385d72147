package web_test

import (
	"context"
	"strings"
	"testing"

	"confidant/counselling"

	"golang.org/x/net/html"
)

// What assistive technology and password managers read from the staff
// pages: the invite names the login name in a read-only username field, so a
// password manager saves the password under the right name; the code fields
// bring up a number pad; the inbox's scrolling table is named for what it
// holds.
func TestStaffFormsSpeakToAssistiveTechnology(t *testing.T) {
	o := newOffice(t)
	token, err := o.db.CreateStaff(context.Background(), counselling.NewStaff{OfficeID: o.officeID(counselling.DefaultOfficeSlug),
		Role: counselling.RoleCounsellor, Name: "Eva Berger"})
	if err != nil {
		t.Fatal(err)
	}
	invite := parse(t, o.browser().get("/invite/"+token).body)
	field := func(d doc, id string) *html.Node {
		found := d.all("input", func(n *html.Node) bool { return attr(n, "id") == id })
		if len(found) != 1 {
			t.Fatalf("no field %q", id)
		}
		return found[0]
	}
	user := field(invite, "username")
	if attr(user, "autocomplete") != "username" || attr(user, "value") != "Eva Berger" || !hasAttr(user, "readonly") {
		t.Errorf("the invite's username field: autocomplete %q, value %q, read-only %v", attr(user, "autocomplete"), attr(user, "value"), hasAttr(user, "readonly"))
	}
	if code := field(invite, "totp_code"); attr(code, "inputmode") != "numeric" {
		t.Errorf("the invite's code field has inputmode %q", attr(code, "inputmode"))
	}

	seeker := o.browser()
	seeker.register("Quiet Lake", "a long enough passphrase")
	seeker.write("anxiety", "", "Is anyone there?")
	counsellor := o.enrol(counselling.RoleCounsellor, "Jonas Weber")
	inbox := parse(t, counsellor.get("/inbox").body)
	regions := inbox.all("div", func(n *html.Node) bool { return attr(n, "role") == "region" })
	var named bool
	for _, r := range regions {
		if attr(r, "aria-label") == "Table" {
			t.Error("a scrolling region is named \"Table\"")
		}
		if id := attr(r, "aria-labelledby"); id != "" {
			heading := inbox.all("", func(n *html.Node) bool { return attr(n, "id") == id })
			named = named || len(heading) == 1 && strings.TrimSpace(textOf(heading[0])) == "Open queue"
		}
	}
	if !named {
		t.Error("the inbox's queue region is not named \"Open queue\"")
	}
}

func hasAttr(n *html.Node, name string) bool {
	for _, a := range n.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}

// Each conversation page has a title of its own, made of a number or a
// reference and the start date only: the browser's history on a shared
// device tells them apart without naming a subject or a theme.
func TestConversationTitlesAreDistinctAndDiscreet(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Silent Fjord", "a long enough passphrase")
	first := seeker.write("anxiety", "Exam nerves", "I cannot sleep before exams.")
	second := seeker.write("family", "Brother", "My brother shouts at me.")
	titles := map[string]bool{}
	for _, id := range []string{first, second} {
		title := parse(t, seeker.get("/threads/"+id).body).title()
		titles[title] = true
		for _, secret := range []string{"Exam", "Brother", "Anxiety", "Family", "anxiety", "family"} {
			if strings.Contains(title, secret) {
				t.Errorf("the title %q names %q", title, secret)
			}
		}
	}
	if len(titles) != 2 || !titles["Conversation 1, started "+o.db.Clock.Now().UTC().Format("2006-01-02")+" · Confidant"] {
		t.Errorf("the help-seeker's conversation titles: %v", titles)
	}
	counsellor := o.enrol(counselling.RoleCounsellor, "Eva Berger")
	counsellor.post("/inbox/"+first+"/take", nil)
	title := parse(t, counsellor.get("/inbox/"+first).body).title()
	if strings.Contains(title, "Exam") || strings.Contains(title, "Anxiety") || !strings.Contains(title, strings.ToUpper(first[:6])) {
		t.Errorf("the counsellor's conversation title %q", title)
	}
}

// Every help-seeker page links, from the same place in its footer, to help
// now: the office's emergency number, whether someone is available for live
// chat, and how to write. Staff pages do not carry it.
func TestEveryHelpSeekerPageLinksToHelpNow(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Open Window", "a long enough passphrase")
	id := seeker.write("anxiety", "", "Hello?")
	for _, path := range []string{"/threads", "/threads/" + id, "/threads/new", "/account", "/live"} {
		links := parse(t, seeker.get(path).body).all("a", func(n *html.Node) bool { return attr(n, "id") == "help-link" })
		if len(links) != 1 || attr(links[0], "href") != "/help" || len(parse(t, seeker.get(path).body).all("footer", func(f *html.Node) bool {
			return len(doc{t: t, root: f}.all("a", func(n *html.Node) bool { return attr(n, "id") == "help-link" })) == 1
		})) != 1 {
			t.Errorf("%s: no help link in the footer", path)
		}
	}
	for _, path := range []string{"/", "/login", "/register"} {
		if !strings.Contains(o.browser().get(path).body, `id="help-link"`) {
			t.Errorf("visitor page %s: no help link", path)
		}
	}
	help := parse(t, seeker.get("/help").body)
	tel := help.all("a", func(n *html.Node) bool { return strings.HasPrefix(attr(n, "href"), "tel:") })
	if len(tel) != 1 || textOf(tel[0]) != counselling.DefaultEmergencyNumber {
		t.Errorf("the help page does not offer to call %s", counselling.DefaultEmergencyNumber)
	}
	if !strings.Contains(textOf(help.root), "Nobody is available for live chat right now.") {
		t.Errorf("the help page does not say whether someone is available now")
	}
	if !strings.Contains(textOf(help.root), "Opening hours") || !strings.Contains(textOf(help.root), "09:00") {
		t.Errorf("the help page does not give the opening hours")
	}
	counsellor := o.enrol(counselling.RoleCounsellor, "Eva Berger")
	if strings.Contains(counsellor.get("/inbox").body, `id="help-link"`) {
		t.Error("a staff page carries the help-seekers' help link")
	}
}
