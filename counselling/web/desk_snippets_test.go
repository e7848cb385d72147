package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"confidant/counselling"
)

var snippetDelete = regexpMust(`/snippets/([a-z2-7]{26})/delete`)

// Counsellors keep their own snippets and admins the office's; on the reply
// form a counsellor is offered their own and the office's in the page's
// language, and without JavaScript "Insert snippet" brings the form back with
// the snippet after what they typed, nothing sent; a colleague's own
// snippets stay theirs.
func TestSnippetsAreKeptAndInsertedWithoutJavaScript(t *testing.T) {
	o := newOffice(t)
	admin := o.enrol(counselling.RoleAdmin, "Ada Admin")
	carl := o.enrol(counselling.RoleCounsellor, "Carl Counsellor")
	cora := o.enrol(counselling.RoleCounsellor, "Cora Colleague")

	carl.mustPost("/inbox/snippets", url.Values{"title": {"Greeting"}, "lang": {"en"}, "body": {"Thank you for writing to us."}}, "/inbox/snippets?done=added")
	p := carl.post("/inbox/snippets", url.Values{"title": {"Too long"}, "lang": {"en"}, "body": {strings.Repeat("a", 2001)}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(p.body), "A snippet's text may be at most 2,000 characters long.") {
		t.Fatalf("a snippet over the limit: %d, want 422 with the limit named", p.status)
	}
	if !strings.Contains(p.body, `value="Too long"`) {
		t.Fatal("the refused form lost the title typed")
	}
	admin.mustPost("/admin/snippets", url.Values{"title": {"Answer time"}, "lang": {"en"}, "body": {"We answer within two working days."}}, "/admin/snippets?done=added")
	admin.mustPost("/admin/snippets", url.Values{"title": {"Gruß"}, "lang": {"de"}, "body": {"Danke für deine Nachricht."}}, "/admin/snippets?done=added")
	cora.mustPost("/inbox/snippets", url.Values{"title": {"Cora's own"}, "lang": {"en"}, "body": {"Only Cora writes this."}}, "/inbox/snippets?done=added")
	if n := o.db.Count(t, `SELECT count(*) FROM snippets`); n != 4 {
		t.Fatalf("%d snippets stored, want 4 (the one over the limit is not)", n)
	}
	if n := o.db.Holding(t, "snippets", "body", "Thank you") + o.db.Holding(t, "snippets", "title", "Greeting"); n != 0 {
		t.Fatal("a snippet is stored in the clear")
	}
	coraID := snippetDelete.FindStringSubmatch(cora.get("/inbox/snippets").body)[1]
	officeList := admin.get("/admin/snippets").body
	if !strings.Contains(officeList, "Answer time") || strings.Contains(officeList, "Greeting") || strings.Contains(officeList, "Cora") {
		t.Fatal("the admin's page does not list exactly the office's snippets")
	}

	seeker := o.browser()
	seeker.register("Still Water", "the lake is calm tonight")
	id := seeker.write("family", "", "My brother shouts every night.")
	carl.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	page := carl.get("/inbox/" + id).body
	for _, want := range []string{"Greeting", "Answer time (office)", `data-text="We answer within two working days."`, `id="snippet-insert"`} {
		if !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("the reply form lacks %q", want)
		}
	}
	for _, not := range []string{"Gruß", "Cora&#39;s own", "Cora's own"} {
		if strings.Contains(page, not) {
			t.Errorf("the reply form offers %q", not)
		}
	}
	var officeID string
	for _, m := range regexpMust(`<option value="([a-z2-7]{26})"[^>]*>\s*Answer time`).FindAllStringSubmatch(page, -1) {
		officeID = m[1]
	}
	typed := "Dear friend,\nI have read your message twice."
	p = carl.post("/inbox/"+id+"/reply", url.Values{"action": {"snippet"}, "snippet": {officeID}, "body": {typed}})
	want := typed + "\n\nWe answer within two working days."
	if p.status != http.StatusOK || !strings.Contains(html.UnescapeString(p.body), ">"+want+"</textarea>") {
		t.Fatalf("inserting a snippet without JavaScript: %d, the text area does not hold %q", p.status, want)
	}
	if !strings.Contains(p.body, "Nothing is sent yet.") {
		t.Fatal("the page does not say that nothing was sent")
	}
	if n := o.db.Count(t, `SELECT count(*) FROM messages WHERE thread_id = ?`, id); n != 1 {
		t.Fatal("inserting a snippet sent the reply")
	}
	p = carl.post("/inbox/"+id+"/reply", url.Values{"action": {"snippet"}, "snippet": {coraID}, "body": {typed}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Please choose a snippet from the list.") ||
		!strings.Contains(html.UnescapeString(p.body), ">"+typed+"</textarea>") || strings.Contains(p.body, "Only Cora writes this.") {
		t.Fatalf("inserting a colleague's own snippet: %d, want refused with the text kept", p.status)
	}
	if p := carl.post("/inbox/snippets/"+coraID+"/delete", nil); p.status != http.StatusNotFound {
		t.Fatalf("deleting a colleague's snippet: %d", p.status)
	}
	if p := carl.post("/admin/snippets", url.Values{"title": {"x"}, "lang": {"en"}, "body": {"x"}}); p.status != http.StatusNotFound {
		t.Fatalf("a counsellor adds an office snippet: %d", p.status)
	}
	cora.mustPost("/inbox/snippets/"+coraID+"/delete", nil, "/inbox/snippets?done=deleted")
	if n := o.db.Count(t, `SELECT count(*) FROM snippets WHERE id = ?`, coraID); n != 0 {
		t.Fatal("the deleted snippet is still stored")
	}
	german := carl.get("/inbox/" + id + "?lang=de").body
	if !strings.Contains(german, "Gruß (Beratungsstelle)") || strings.Contains(german, "Answer time") {
		t.Fatal("on German pages the reply form does not offer the German snippets only")
	}
	if !strings.Contains(admin.get("/admin/audit").body, "office snippet added") {
		t.Fatal("the audit log does not record the office's snippets")
	}
}
