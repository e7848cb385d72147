package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"confidant/counselling"

	"github.com/coder/websocket"
	"golang.org/x/net/html"
)

// themeAvailability reads /live as a help-seeker does: per theme, what the
// list of themes says.
func themeAvailability(t *testing.T, body string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, li := range parse(t, body).all("li", func(n *html.Node) bool { return attr(n, "data-theme") != "" }) {
		text := textOf(li)
		out[attr(li, "data-theme")] = text[strings.Index(text, ":")+2:]
	}
	return out
}

// queueThemes reads a counsellor's live queue: the themes of the chats in
// the list meant for them first, and in the list of other themes.
func queueThemes(t *testing.T, body string) (first, others string) {
	t.Helper()
	d := parse(t, body)
	list := func(id string) string {
		var themes []string
		for _, ul := range d.all("ul", func(n *html.Node) bool { return attr(n, "id") == id }) {
			for c := ul.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && c.Data == "li" {
					themes = append(themes, attr(c, "data-theme"))
				}
			}
		}
		return strings.Join(themes, " ")
	}
	return list("live-queue-mine-list"), list("live-queue-others-list")
}

func TestAvailabilityAndTheLiveQueueFollowTheThemesCounselled(t *testing.T) {
	o := newOffice(t)
	fam := o.enrol(counselling.RoleCounsellor, "Family Counsellor")
	anx := o.enrol(counselling.RoleSupervisor, "Anxiety Supervisor")
	admin := o.enrol(counselling.RoleAdmin, "Office Admin")

	// By default a counsellor counsels every theme.
	settings := parse(t, fam.get("/inbox/settings").body)
	boxes := settings.all("input", func(n *html.Node) bool { return attr(n, "name") == "themes" })
	if len(boxes) != len(counselling.DefaultThemes) {
		t.Fatalf("%d theme boxes on the settings page, want %d", len(boxes), len(counselling.DefaultThemes))
	}
	for _, b := range boxes {
		if _, checked := attrOK(b, "checked"); !checked {
			t.Fatalf("theme %s is not ticked for a new counsellor", attr(b, "value"))
		}
	}
	fam.mustPost("/inbox/settings/themes", url.Values{"themes": {"family"}}, "/inbox/settings")
	anx.mustPost("/inbox/settings/themes", url.Values{"themes": {"anxiety", "loneliness"}}, "/inbox/settings")
	if p := fam.get("/inbox/settings?done=themes"); !strings.Contains(p.body, "Your themes are saved.") {
		t.Fatal("saving themes says nothing")
	}

	// Nobody is available: every theme says so.
	for theme, says := range themeAvailability(t, o.browser().get("/live").body) {
		if says != "nobody available now" {
			t.Fatalf("%s says %q with nobody available", theme, says)
		}
	}
	fam.mustPost("/live/availability", url.Values{"available": {"1"}}, "/live/queue")
	page := o.browser().get("/live")
	got := themeAvailability(t, page.body)
	if got["family"] != "someone is available" || got["anxiety"] != "nobody available now" || got["loneliness"] != "nobody available now" {
		t.Fatalf("with the family counsellor available /live says %v", got)
	}
	if strings.Contains(page.body, "Family Counsellor") || !strings.Contains(page.body, "A counsellor is available now.") {
		t.Fatal("/live names who is available, or does not say that someone is")
	}
	anx.mustPost("/live/availability", url.Values{"available": {"1"}}, "/live/queue")
	if got := themeAvailability(t, o.browser().get("/live").body); got["anxiety"] != "someone is available" || got["loneliness"] != "someone is available" || got["self-harm"] != "nobody available now" {
		t.Fatalf("with both available /live says %v", got)
	}

	// A chat of each kind waits: the family counsellor's, the anxiety
	// supervisor's, and one of a theme nobody available counsels, oldest
	// first.
	for _, theme := range []string{"family", "anxiety", "self-harm"} {
		startGuestChat(t, o, theme)
		o.db.Clock.Advance(time.Second)
	}
	if first, others := queueThemes(t, fam.get("/live/queue").body); first != "family self-harm" || others != "anxiety" {
		t.Fatalf("the family counsellor's queue: first %q, others %q", first, others)
	}
	if first, others := queueThemes(t, anx.get("/live/queue").body); first != "anxiety self-harm" || others != "family" {
		t.Fatalf("the anxiety supervisor's queue: first %q, others %q", first, others)
	}
	// The family counsellor goes away: their chat is nobody's now, so the
	// supervisor sees it first (their open queue page is told to fetch its
	// list again), and /live no longer offers family.
	tab, err := anx.browser.dialQueue(http.Header{"Origin": {o.srv.URL}, "Sec-Fetch-Site": {"same-origin"}})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close(websocket.StatusNormalClosure, "")
	fam.mustPost("/live/availability", url.Values{"available": {"0"}}, "/live/queue")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, data, err := tab.Read(ctx); err != nil || !strings.Contains(string(data), `"type":"queue"`) {
		t.Fatalf("the supervisor's queue tab heard %s, %v, when a colleague went away", data, err)
	}
	if first, others := queueThemes(t, anx.get("/live/queue").body); first != "family anxiety self-harm" || others != "" {
		t.Fatalf("the supervisor's queue once family has nobody: first %q, others %q", first, others)
	}
	if got := themeAvailability(t, o.browser().get("/live").body); got["family"] != "nobody available now" {
		t.Fatalf("family still says %q after its counsellor went away", got["family"])
	}
	// A change of themes while available counts at once.
	anx.mustPost("/inbox/settings/themes", url.Values{"themes": {"family"}}, "/inbox/settings")
	if got := themeAvailability(t, o.browser().get("/live").body); got["family"] != "someone is available" || got["anxiety"] != "nobody available now" {
		t.Fatalf("after the supervisor chose family /live says %v", got)
	}

	// No theme, or a theme not of the office: a clear message, nothing changes.
	for _, bad := range []url.Values{{}, {"themes": {"family", "no-such-theme"}}} {
		p := anx.post("/inbox/settings/themes", bad)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Please choose") {
			t.Fatalf("bad choice %v: %d", bad, p.status)
		}
	}
	if got := themeAvailability(t, o.browser().get("/live").body); got["family"] != "someone is available" {
		t.Fatalf("a refused choice changed availability: %v", got)
	}
	p := anx.get("/inbox/settings")
	for _, b := range parse(t, p.body).all("input", func(n *html.Node) bool { return attr(n, "name") == "themes" }) {
		if _, checked := attrOK(b, "checked"); checked != (attr(b, "value") == "family") {
			t.Fatalf("after refused choices theme %s is ticked: %v", attr(b, "value"), checked)
		}
	}
	// An admin counsels nothing and has no themes to choose.
	if p := admin.post("/inbox/settings/themes", url.Values{"themes": {"family"}}); p.status != http.StatusNotFound {
		t.Fatalf("an admin chose themes: %d", p.status)
	}
	if strings.Contains(admin.get("/inbox/settings").body, "Themes I counsel") {
		t.Fatal("an admin is offered themes to counsel")
	}
}

func attrOK(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}
