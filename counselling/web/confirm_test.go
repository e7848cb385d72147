package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"confidant/counselling"

	"golang.org/x/net/html"
)

// confirmationOn returns the text of the page's confirmation: a status
// message that takes the focus (autofocus), as a reloaded page must.
func confirmationOn(t *testing.T, body string) string {
	t.Helper()
	found := parse(t, body).all("", func(n *html.Node) bool { return attr(n, "role") == "status" && hasAttr(n, "autofocus") })
	if len(found) != 1 {
		return ""
	}
	return strings.TrimSpace(textOf(found[0]))
}

// Every action confirms itself on the page it leads to, in a status message
// that is announced and focused, while the redirect goes to exactly the
// address the contract names; the confirmation is shown once.
func TestEveryActionConfirmsItself(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Calm Harbour", "a long enough passphrase")
	id := seeker.write("anxiety", "", "I cannot sleep before exams.")
	counsellor := o.enrol(counselling.RoleCounsellor, "Eva Berger")
	colleague := o.enrol(counselling.RoleCounsellor, "Jonas Weber")

	act := func(b *browser, path string, form url.Values, location, want string) {
		t.Helper()
		p := b.post(path, form)
		if p.status != http.StatusSeeOther || p.header.Get("Location") != location {
			t.Fatalf("POST %s: %d → %q, want 303 → %q\n%s", path, p.status, p.header.Get("Location"), location, p.body)
		}
		page := b.get(location)
		if got := confirmationOn(t, page.body); got != want {
			t.Errorf("after POST %s the page confirms %q, want %q", path, got, want)
		}
		if again := confirmationOn(t, b.get(location).body); again != "" && location != "/inbox" {
			t.Errorf("after POST %s the confirmation shows twice: %q", path, again)
		}
	}
	act(counsellor.browser, "/inbox/"+id+"/take", url.Values{}, "/inbox/"+id, "The conversation is yours now.")
	act(counsellor.browser, "/inbox/"+id+"/reply", url.Values{"body": {"Thank you for writing."}}, "/inbox/"+id, "Your reply was sent.")
	act(counsellor.browser, "/inbox/"+id+"/reply", url.Values{"body": {"Half a thought"}, "action": {"draft"}}, "/inbox/"+id,
		"Your draft is saved. It stays here, encrypted, until you send it.")
	act(counsellor.browser, "/inbox/"+id+"/note", url.Values{"body": {"exam anxiety"}}, "/inbox/"+id, "The note was added.")
	act(counsellor.browser, "/inbox/"+id+"/themes", url.Values{"theme": {"school-work"}}, "/inbox/"+id, "The themes were saved.")
	act(seeker, "/threads/"+id+"/reply", url.Values{"body": {"Thank you, it helps."}}, "/threads/"+id, "Your message was sent.")
	// An admin's change to a list of the office confirms itself.
	admin := o.enrol(counselling.RoleAdmin, "Ada Lund")
	act(admin.browser, "/admin/regions", url.Values{"name": {"Westkust"}}, "/admin/regions", "The list is saved.")
	act(admin.browser, "/admin/themes", url.Values{"name": {"Sleep"}}, "/admin/themes", "The list is saved.")
	// A new enquiry confirms itself as a reply does.
	if p := seeker.post("/threads/new", url.Values{"theme": {"family"}, "body": {"My sister and I argue."}}); p.status != http.StatusSeeOther {
		t.Fatalf("POST /threads/new: %d\n%s", p.status, p.body)
	} else if got := confirmationOn(t, seeker.get(p.header.Get("Location")).body); got != "Your message was sent." {
		t.Errorf("after a new enquiry the page confirms %q, want %q", got, "Your message was sent.")
	}
	act(seeker, "/account", url.Values{"email": {""}, "age_band": {"20-29"}}, "/account", "Your details are saved.")
	act(counsellor.browser, "/inbox/"+id+"/handover", url.Values{"to": {colleague.id}}, "/inbox", "The conversation was handed over.")
	act(colleague.browser, "/inbox/"+id+"/close", url.Values{}, "/inbox", "The conversation was closed.")

	// A confirmation belongs to the page the action led to: another page
	// does not take it.
	seeker.post("/threads/"+id+"/reply", url.Values{"body": {"One more thing."}})
	if got := confirmationOn(t, seeker.get("/threads").body); got != "" {
		t.Errorf("the list of conversations confirms %q", got)
	}
}
