package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"confidant/counselling"
)

// A visitor who came through a second office's start page stays with that
// office: its help page gives that office's emergency number, and a chat
// started as a guest is with that office, not the installation's first.
func TestAVisitorOfASecondOfficeGetsThatOfficesHelpAndChat(t *testing.T) {
	o := newOffice(t)
	if _, err := o.db.CreateOffice(context.Background(), "youth", "Youth line"); err != nil {
		t.Fatal(err)
	}
	mainAdmin := o.enrol(counselling.RoleAdmin, "Main Admin")
	youthAdmin := o.enrolIn("youth", counselling.RoleAdmin, "Youth Admin")
	settings := func(name, number string) url.Values {
		return url.Values{"name": {name}, "emergency_number": {number}, "retain_mail_months": {"6"},
			"inactive_account_months": {"24"}, "chat_transcript_months": {"6"}}
	}
	mainAdmin.mustPost("/admin/settings", settings("Main line", "0800 111 0 111"), "/admin/settings")
	youthAdmin.mustPost("/admin/settings", settings("Youth line", "0800 222 0 222"), "/admin/settings")
	youthCounsellor := o.enrolIn("youth", counselling.RoleCounsellor, "Youth Counsellor")
	youthCounsellor.mustPost("/live/availability", url.Values{"available": {"1"}}, "/live/queue")

	visitor := o.browser()
	landing := visitor.get("/o/youth").body
	if !strings.Contains(landing, `id="help-link"`) || !strings.Contains(landing, `href="/help?office=youth"`) {
		t.Fatal("the second office's start page does not lead to its own help page")
	}
	help := visitor.get("/help?office=youth").body
	if !strings.Contains(help, "0800 222 0 222") || strings.Contains(help, "0800 111 0 111") {
		t.Fatal("the second office's visitor is given another office's emergency number")
	}
	if !strings.Contains(help, `href="/live?office=youth"`) && !strings.Contains(visitor.get("/live?office=youth").body, `action="/live?office=youth"`) {
		t.Fatal("the help page's way to live chat leaves the visitor's office")
	}
	p := visitor.post("/live?office=youth", url.Values{"theme": {"family"}})
	if p.status != 303 {
		t.Fatalf("a guest chat with the second office: %d\n%s", p.status, p.body)
	}
	if n := o.db.Count(t, `SELECT count(*) FROM threads t JOIN offices o ON o.id = t.office_id WHERE o.slug = 'youth' AND t.channel = 'chat'`); n != 1 {
		t.Fatalf("the guest's chat is not with the second office (%d chats there)", n)
	}
	// A visitor who names no office, or one that does not exist, is with the first.
	if help := o.browser().get("/help?office=nowhere").body; !strings.Contains(help, "0800 111 0 111") {
		t.Fatal("an unknown office in the address does not fall back to the first office")
	}
}
