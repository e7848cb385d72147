package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/web"
)

// TestAuthorizationMatrix checks every route and method against every kind of
// caller, with the exact status each must get. What a caller may not see is
// not found, never forbidden, so its existence stays hidden.
func TestAuthorizationMatrix(t *testing.T) {
	withR, _ := withRelay(t)
	o := newOffice(t, withR, func(c *web.Config) { c.PushKey = testP256dh })
	if _, err := o.db.CreateOffice(context.Background(), "north", "North office"); err != nil {
		t.Fatal(err)
	}
	seekerA, seekerB := o.browser(), o.browser()
	seekerA.register("Seeker Alpha", "a fine long password")
	seekerB.register("Seeker Beta", "a fine long password")
	o.allowOpenEnquiries(1000)
	c1 := o.enrol(counselling.RoleCounsellor, "Assigned One")
	c2 := o.enrol(counselling.RoleCounsellor, "Colleague Two")
	c3 := o.enrolIn("north", counselling.RoleCounsellor, "Elsewhere Three")
	sup := o.enrol(counselling.RoleSupervisor, "Supervisor Four")
	adm := o.enrol(counselling.RoleAdmin, "Admin Five")
	sup2 := o.enrolIn("north", counselling.RoleSupervisor, "Elsewhere Supervisor")
	trainee := o.enrol(counselling.RoleCounsellor, "Trainee Six")
	adm.mustPost("/admin/staff/"+trainee.id+"/trainee", url.Values{"trainee": {"1"}}, "/admin")
	callers := []struct {
		name string
		b    *browser
	}{
		{"anonymous", o.browser()}, {"seeker A", seekerA}, {"seeker B", seekerB}, {"assigned counsellor", c1.browser},
		{"other counsellor", c2.browser}, {"counsellor of another office", c3.browser}, {"supervisor", sup.browser}, {"admin", adm.browser},
		{"supervisor of another office", sup2.browser},
	}

	open := func() string { return seekerA.write("family", "matrix", "a message for the matrix") }
	taken := func() string {
		id := open()
		c1.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
		return id
	}
	flagged := func() string {
		id := taken()
		c1.mustPost("/inbox/"+id+"/flag", url.Values{"reason": {"a risk to others"}}, "/inbox/"+id)
		return id
	}
	// awaiting is a thread a trainee holds, with a reply awaiting approval;
	// pending is that reply's id.
	var pending string
	awaiting := func() string {
		id := open()
		trainee.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
		trainee.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"a trainee's answer"}}, "/inbox/"+id)
		pending = regexpFind(t, sup.get("/inbox/"+id).body, `name="message" value="([a-z2-7]{26})"`)
		return id
	}
	none := func() string { return "" }
	// ownSnippet is a new snippet of the assigned counsellor's own;
	// officeSnippet a new one of the office's, kept by the admin.
	ownSnippet := func() string {
		c1.mustPost("/inbox/snippets", url.Values{"title": {"Own"}, "lang": {"en"}, "body": {"own text"}}, "/inbox/snippets")
		return regexpFind(t, c1.get("/inbox/snippets").body, `/inbox/snippets/([a-z2-7]{26})/delete`)
	}
	officeSnippet := func() string {
		adm.mustPost("/admin/snippets", url.Values{"title": {"Office"}, "lang": {"en"}, "body": {"office text"}}, "/admin/snippets")
		return regexpFind(t, adm.get("/admin/snippets").body, `/admin/snippets/([a-z2-7]{26})/delete`)
	}
	// closed is a conversation the assigned counsellor answered and closed;
	// supervised one they asked a supervisor to look at.
	closed := func() string {
		id := taken()
		c1.mustPost("/inbox/"+id+"/close", nil, "/inbox")
		return id
	}
	supervised := func() string {
		id := taken()
		c1.mustPost("/inbox/"+id+"/supervision", url.Values{"reason": {"please look"}}, "/inbox/"+id)
		return id
	}
	// waiting is a fresh chat of seeker A's in the live queue; chatting is
	// one that the assigned counsellor accepted.
	waiting := func() string {
		id := chatOf(t, seekerA.post("/live", url.Values{"theme": {"family"}}))
		seekerA.mustPost("/live/"+id+"/end", nil, "/live/"+id)
		return chatOf(t, seekerA.post("/live", url.Values{"theme": {"family"}}))
	}
	chatting := func() string {
		id := waiting()
		c1.mustPost("/live/"+id+"/accept", nil, "/live/"+id)
		return id
	}
	// ended is a chat the assigned counsellor accepted and ended: its
	// transcript is kept for supervisors only.
	ended := func() string {
		id := chatting()
		c1.mustPost("/live/"+id+"/end", nil, "/live/"+id)
		return id
	}

	// group is the group call of the assigned counsellor, to which seeker A
	// is invited.
	group := func() string {
		p := c1.post("/inbox/"+taken()+"/group-call", nil)
		return strings.TrimPrefix(p.header.Get("Location"), "/calls/")
	}

	// requested is seeker A's one open call-back request, to the assigned
	// counsellor; noCallbacks removes seeker A's requests.
	removeAction := regexpMust(`action="/live/callback/([a-z2-7]{26})/remove"`)
	noCallbacks := func() string {
		for _, m := range removeAction.FindAllStringSubmatch(seekerA.get("/live/callback").body, -1) {
			seekerA.mustPost("/live/callback/"+m[1]+"/remove", nil, "/live/callback?done=removed")
		}
		taken()
		return ""
	}
	requested := func() string {
		noCallbacks()
		seekerA.mustPost("/live/callback", url.Values{"counsellor": {c1.id}, "kind": {"chat"}}, "/live/callback?done=requested")
		return removeAction.FindStringSubmatch(seekerA.get("/live/callback").body)[1]
	}
	seekerAID := mustAccounts(t, o, "Seeker Alpha")[0]
	// freeSlot is a slot the assigned counsellor publishes, each a little
	// later than the last; bookedSlot is one that seeker A booked.
	slots := 0
	freeSlot := func() string {
		slots++
		return publishSlotIn(t, o, c1, time.Duration(2+slots)*time.Hour, "chat")
	}
	bookedSlot := func() string {
		id := freeSlot()
		seekerA.mustPost("/live/slots/"+id+"/book", nil, "/live")
		return id
	}
	slotStart := officeClock(t, o.db.Clock.Now().Add(1000*time.Hour))
	// runningGroup is a group chat the assigned counsellor moderates, whose
	// time has come; joinedGroup one that seeker A joined.
	runningGroup := func() string {
		id := scheduleGroupIn(t, o, adm, c1.id, time.Hour, 10)
		startGroupNow(t, o, id)
		return id
	}
	joinedGroup := func() string {
		id := runningGroup()
		seekerA.mustPost("/live/groups/"+id+"/join", url.Values{"accept_rules": {"yes"}}, "/live/groups/"+id)
		return id
	}
	// question is one survey question of the office, added once by its admin.
	var questionID string
	question := func() string {
		if questionID == "" {
			questionID = addQuestion(t, adm, questionForm("after-contact", "scale", "Matrix question", ""))
		}
		return questionID
	}
	scaleForm := questionForm("after-contact", "scale", "Matrix question", "")
	askedNothing := url.Values{"q-aaaaaaaaaaaaaaaaaaaaaaaaaa": {"3"}}

	groupForm := url.Values{"theme": {"Matrix group"}, "rules": {"Be kind."}, "starts_at": {slotStart},
		"ends_at": {officeClock(t, o.db.Clock.Now().Add(1001*time.Hour))}, "max_size": {"5"}, "moderator": {c1.id}}

	// absence is an absence the assigned counsellor recorded for next
	// year, with the colleague as stand-in; its id.
	absence := func() string {
		c1.mustPost("/inbox/absence", url.Values{"from": {"2027-01-04"}, "to": {"2027-01-05"}, "stand_in": {c2.id}}, "/inbox/absence")
		return regexpFind(t, c1.get("/inbox/absence").body, `action="/inbox/absence/([a-z2-7]{26})/end"`)
	}

	// duty is a weekly duty of the assigned counsellor on the office's
	// roster; its id.
	duty := func() string {
		sup.mustPost("/roster/duty", url.Values{"account": {c1.id}, "weekday": {"1"}, "starts": {"09:00"}, "ends": {"13:00"}}, "/roster")
		return regexpFind(t, sup.get("/roster").body, `action="/roster/([a-z2-7]{26})/remove"`)
	}
	workdayForm := url.Values{"time_zone": {"Europe/Berlin"}, "promise_amount": {"2"}, "promise_unit": {"working-days"},
		"opens_1": {"09:00"}, "closes_1": {"17:00"}}

	const (
		login = "303 /login"
		// A form that takes text, sent without a session, answers with the
		// login page carrying the text.
		carried = "200"
		nf      = "404"
	)
	for _, tc := range []struct {
		method, path string
		thread       func() string
		form         url.Values
		want         [9]string
	}{
		{"GET", "/threads", none, nil, [9]string{login, "200", "200", nf, nf, nf, nf, nf, nf}},
		{"GET", "/threads/new", none, nil, [9]string{login, "200", "200", nf, nf, nf, nf, nf, nf}},
		{"POST", "/threads/new", none, url.Values{"theme": {"other"}, "body": {"hi"}}, [9]string{carried, "303 /threads/", "303 /threads/", nf, nf, nf, nf, nf, nf}},
		{"GET", "/threads/{id}", taken, nil, [9]string{login, "200", nf, nf, nf, nf, nf, nf, nf}},
		{"POST", "/threads/{id}/reply", taken, url.Values{"body": {"more"}}, [9]string{carried, "303 /threads/{id}", nf, nf, nf, nf, nf, nf, nf}},
		{"GET", "/account", none, nil, [9]string{login, "200", "200", nf, nf, nf, nf, nf, nf}},
		{"POST", "/account/push", none, subscription("https://push.example.net/matrix"), [9]string{login, "303 /account", "303 /account", nf, nf, nf, nf, nf, nf}},
		{"POST", "/account/push/off", none, url.Values{"endpoint": {"https://push.example.net/matrix"}}, [9]string{login, "303 /account", "303 /account", nf, nf, nf, nf, nf, nf}},
		{"POST", "/account/push/off-all", none, nil, [9]string{login, "303 /account", "303 /account", nf, nf, nf, nf, nf, nf}},
		{"GET", "/push-worker.js", none, nil, [9]string{"200", "200", "200", "200", "200", "200", "200", "200", "200"}},
		{"GET", "/inbox", none, nil, [9]string{login, nf, nf, "200", "200", "200", "200", "303 /admin", "200"}},
		{"POST", "/inbox/{id}/take", open, nil, [9]string{login, nf, nf, "303 /inbox/{id}", "303 /inbox/{id}", nf, "303 /inbox/{id}", nf, nf}},
		{"POST", "/inbox/{id}/take", taken, nil, [9]string{login, nf, nf, "303 /inbox/{id}", "409", nf, "409", nf, nf}},
		// A supervisor who may not read an open conversation is led to where
		// they reassign it.
		{"GET", "/inbox/{id}", taken, nil, [9]string{login, nf, nf, "200", nf, nf, "303 /inbox/assignments#c-{id}", nf, nf}},
		{"GET", "/inbox/{id}", open, nil, [9]string{login, nf, nf, nf, nf, nf, "303 /inbox/assignments#c-{id}", nf, nf}},
		{"GET", "/inbox/assignments", none, nil, [9]string{login, nf, nf, nf, nf, nf, "200", nf, "200"}},
		{"POST", "/inbox/{id}/reassign", taken, url.Values{"to": {"{c2}"}}, [9]string{login, nf, nf, nf, nf, nf, "303 /inbox/assignments", nf, nf}},
		{"POST", "/inbox/{id}/reassign", taken, url.Values{"to": {""}}, [9]string{login, nf, nf, nf, nf, nf, "303 /inbox/assignments", nf, nf}},
		{"POST", "/inbox/{id}/reassign", open, url.Values{"to": {"{c3}"}}, [9]string{login, nf, nf, nf, nf, nf, "422", nf, nf}},
		{"POST", "/inbox/{id}/reply", taken, url.Values{"body": {"answer"}}, [9]string{carried, nf, nf, "303 /inbox/{id}", nf, nf, nf, nf, nf}},
		{"POST", "/inbox/{id}/note", taken, url.Values{"body": {"note"}}, [9]string{carried, nf, nf, "303 /inbox/{id}", nf, nf, nf, nf, nf}},
		{"POST", "/inbox/{id}/themes", taken, url.Values{"theme": {"family"}}, [9]string{login, nf, nf, "303 /inbox/{id}", nf, nf, nf, nf, nf}},
		{"POST", "/inbox/{id}/handover", taken, url.Values{"to": {c2.id}}, [9]string{login, nf, nf, "303 /inbox", nf, nf, nf, nf, nf}},
		{"POST", "/inbox/{id}/flag", taken, url.Values{"reason": {"risk"}}, [9]string{login, nf, nf, "303 /inbox/{id}", nf, nf, nf, nf, nf}},
		{"POST", "/inbox/{id}/close", taken, nil, [9]string{login, nf, nf, "303 /inbox", nf, nf, nf, nf, nf}},
		{"POST", "/inbox/{id}/approve", taken, url.Values{"message": {"aaaaaaaaaaaaaaaaaaaaaaaaaa"}}, [9]string{login, nf, nf, nf, nf, nf, nf, nf, nf}},
		{"GET", "/inbox/{id}", flagged, nil, [9]string{login, nf, nf, "200", nf, nf, "200", nf, nf}},
		{"POST", "/inbox/{id}/reply", flagged, url.Values{"body": {"answer"}}, [9]string{carried, nf, nf, "303 /inbox/{id}", nf, nf, nf, nf, nf}},
		{"POST", "/inbox/{id}/note", flagged, url.Values{"body": {"note"}}, [9]string{carried, nf, nf, "303 /inbox/{id}", nf, nf, "303 /inbox/{id}", nf, nf}},
		{"POST", "/inbox/{id}/close", flagged, nil, [9]string{login, nf, nf, "303 /inbox", nf, nf, nf, nf, nf}},
		{"GET", "/inbox/{id}", awaiting, nil, [9]string{login, nf, nf, nf, nf, nf, "200", nf, nf}},
		{"POST", "/inbox/{id}/note", awaiting, url.Values{"body": {"note"}}, [9]string{carried, nf, nf, nf, nf, nf, "303 /inbox/{id}", nf, nf}},
		{"POST", "/inbox/{id}/approve", awaiting, url.Values{"message": {"{pending}"}}, [9]string{login, nf, nf, nf, nf, nf, "303 /inbox", nf, nf}},
		{"POST", "/inbox/{id}/return", awaiting, url.Values{"message": {"{pending}"}, "comment": {"again"}}, [9]string{login, nf, nf, nf, nf, nf, "303 /inbox", nf, nf}},
		{"POST", "/threads/{id}/rating", closed, url.Values{"score": {"4"}}, [9]string{login, "303 /threads/{id}", nf, nf, nf, nf, nf, nf, nf}},
		{"POST", "/threads/{id}/rating", taken, url.Values{"score": {"4"}}, [9]string{login, "409", nf, nf, nf, nf, nf, nf, nf}},
		{"POST", "/inbox/{id}/rating", closed, url.Values{"score": {"4"}}, [9]string{login, nf, nf, "303 /inbox/{id}", nf, nf, nf, nf, nf}},
		{"POST", "/inbox/{id}/supervision", taken, url.Values{"reason": {"help"}}, [9]string{login, nf, nf, "303 /inbox/{id}", nf, nf, nf, nf, nf}},
		// A supervisor of the office reads a conversation in supervision;
		// nobody else does.
		{"GET", "/inbox/{id}", supervised, nil, [9]string{login, nf, nf, "200", nf, nf, "200", nf, nf}},
		{"POST", "/inbox/{id}/note", supervised, url.Values{"body": {"note"}}, [9]string{carried, nf, nf, "303 /inbox/{id}", nf, nf, "303 /inbox/{id}", nf, nf}},
		{"POST", "/inbox/{id}/reply", supervised, url.Values{"body": {"answer"}}, [9]string{carried, nf, nf, "303 /inbox/{id}", nf, nf, nf, nf, nf}},
		{"POST", "/inbox/{id}/supervision/close", supervised, url.Values{"note": {"done"}}, [9]string{login, nf, nf, nf, nf, nf, "303 /supervision", nf, nf}},
		{"GET", "/supervision", none, nil, [9]string{login, nf, nf, nf, nf, nf, "200", nf, "200"}},
		{"GET", "/admin/quality", none, nil, [9]string{login, nf, nf, nf, nf, nf, nf, "200", nf}},
		// Surveys: admins keep the questions of their own office; a
		// help-seeker answers after their own contact is over; the guest's
		// routes open with the chat's guest pass alone, which nobody here has.
		{"GET", "/admin/surveys", none, nil, [9]string{login, nf, nf, nf, nf, nf, nf, "200", nf}},
		{"POST", "/admin/surveys", none, url.Values{"moment": {"before-chat"}}, [9]string{login, nf, nf, nf, nf, nf, nf, "422", nf}},
		{"GET", "/admin/surveys/{id}", question, nil, [9]string{login, nf, nf, nf, nf, nf, nf, "200", nf}},
		{"POST", "/admin/surveys/{id}", question, scaleForm, [9]string{login, nf, nf, nf, nf, nf, nf, "303 /admin/surveys", nf}},
		{"POST", "/admin/surveys/{id}/retire", question, nil, [9]string{login, nf, nf, nf, nf, nf, nf, "303 /admin/surveys", nf}},
		{"POST", "/threads/{id}/survey", closed, nil, [9]string{login, "303 /threads/{id}", nf, nf, nf, nf, nf, nf, nf}},
		{"POST", "/threads/{id}/survey", closed, askedNothing, [9]string{login, "422", nf, nf, nf, nf, nf, nf, nf}},
		{"POST", "/threads/{id}/survey", taken, nil, [9]string{login, "409", nf, nf, nf, nf, nf, nf, nf}},
		{"POST", "/live/{id}/rating", chatting, url.Values{"score": {"4"}, "pass": {"0000"}}, [9]string{nf, nf, nf, nf, nf, nf, nf, nf, nf}},
		{"POST", "/live/{id}/survey", chatting, url.Values{"pass": {"0000"}}, [9]string{nf, nf, nf, nf, nf, nf, nf, nf, nf}},
		{"POST", "/admin/quality", none, url.Values{"window": {"20"}, "threshold": {"30"}, "sample": {"3"}}, [9]string{login, nf, nf, nf, nf, nf, nf, "303 /admin/quality", nf}},
		{"GET", "/inbox/aaaaaaaaaaaaaaaaaaaaaaaaaa", none, nil, [9]string{login, nf, nf, nf, nf, nf, nf, nf, nf}},
		{"GET", "/inbox?status=overdue", none, nil, [9]string{login, nf, nf, "200", "200", "200", "200", "303 /admin", "200"}},
		{"GET", "/inbox/absence", none, nil, [9]string{login, nf, nf, "200", "200", "200", "200", nf, "200"}},
		// A stand-in is a counselling colleague of the same office, not oneself.
		{"POST", "/inbox/absence", none, url.Values{"from": {"2027-02-01"}, "to": {"2027-02-02"}, "stand_in": {"{c2}"}},
			[9]string{login, nf, nf, "303 /inbox/absence", "422", "422", "303 /inbox/absence", nf, "422"}},
		{"POST", "/inbox/absence/{id}/end", absence, nil, [9]string{login, nf, nf, "303 /inbox/absence", nf, nf, nf, nf, nf}},
		// The roster is kept by the office's admins and supervisors.
		{"GET", "/roster", none, nil, [9]string{login, nf, nf, nf, nf, nf, "200", "200", "200"}},
		{"POST", "/roster/auto", none, url.Values{"auto_assign": {"0"}}, [9]string{login, nf, nf, nf, nf, nf, "303 /roster", "303 /roster", "303 /roster"}},
		{"POST", "/roster/duty", none, url.Values{"account": {"{c1}"}, "weekday": {"2"}, "starts": {"09:00"}, "ends": {"12:00"}},
			[9]string{login, nf, nf, nf, nf, nf, "303 /roster", "303 /roster", "422"}},
		{"POST", "/roster/{id}/remove", duty, nil, [9]string{login, nf, nf, nf, nf, nf, "303 /roster", "303 /roster", nf}},
		{"GET", "/admin/workday", none, nil, [9]string{login, nf, nf, nf, nf, nf, nf, "200", nf}},
		{"POST", "/admin/workday", none, workdayForm, [9]string{login, nf, nf, nf, nf, nf, nf, "303 /admin/workday", nf}},
		{"GET", "/threads/aaaaaaaaaaaaaaaaaaaaaaaaaa", none, nil, [9]string{login, nf, nf, nf, nf, nf, nf, nf, nf}},
		{"POST", "/inbox/{id}/block", taken, url.Values{"block_reason": {""}}, [9]string{login, nf, nf, "422", nf, nf, nf, nf, nf}},
		{"GET", "/inbox/accounts", none, nil, [9]string{login, nf, nf, nf, nf, nf, "200", nf, "200"}},
		{"POST", "/inbox/accounts/delete", none, url.Values{"nickname": {"Nobody Here"}, "confirm": {"yes"}}, [9]string{login, nf, nf, nf, nf, nf, "422", nf, "422"}},
		{"POST", "/inbox/accounts/aaaaaaaaaaaaaaaaaaaaaaaaaa/lift", none, nil, [9]string{login, nf, nf, nf, nf, nf, nf, nf, nf}},
		{"POST", "/admin/settings/enquiry-limit", none, url.Values{"open_enquiry_limit": {"0"}}, [9]string{login, nf, nf, nf, nf, nf, nf, "422", nf}},
		{"POST", "/session/extend", none, nil, [9]string{"401", "204", "204", "204", "204", "204", "204", "204", "204"}},
		{"GET", "/recover", none, nil, [9]string{"200", "200", "200", "200", "200", "200", "200", "200", "200"}},
		{"GET", "/recover/mail", none, nil, [9]string{nf, nf, nf, nf, nf, nf, nf, nf, nf}},
		{"GET", "/recover/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", none, nil, [9]string{nf, nf, nf, nf, nf, nf, nf, nf, nf}},
		{"POST", "/recover/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", none, url.Values{"new_password": {"a fine long password"}}, [9]string{nf, nf, nf, nf, nf, nf, nf, nf, nf}},
		{"GET", "/admin", none, nil, [9]string{login, nf, nf, nf, nf, nf, nf, "200", nf}},
		{"POST", "/admin/staff/{c1}/approve", none, nil, [9]string{login, nf, nf, nf, nf, nf, nf, "409", nf}},
		{"POST", "/admin/staff/{c1}/trainee", none, url.Values{"trainee": {"0"}}, [9]string{login, nf, nf, nf, nf, nf, nf, "303 /admin", nf}},
		{"GET", "/inbox/snippets", none, nil, [9]string{login, nf, nf, "200", "200", "200", "200", nf, "200"}},
		{"POST", "/inbox/snippets", none, url.Values{"title": {"Matrix"}, "lang": {"en"}, "body": {"a matrix snippet"}},
			[9]string{login, nf, nf, "303 /inbox/snippets", "303 /inbox/snippets", "303 /inbox/snippets", "303 /inbox/snippets", nf, "303 /inbox/snippets"}},
		{"POST", "/inbox/snippets/{id}/delete", ownSnippet, nil, [9]string{login, nf, nf, "303 /inbox/snippets", nf, nf, nf, nf, nf}},
		{"GET", "/admin/snippets", none, nil, [9]string{login, nf, nf, nf, nf, nf, nf, "200", nf}},
		{"POST", "/admin/snippets", none, url.Values{"title": {"Matrix"}, "lang": {"en"}, "body": {"an office snippet"}},
			[9]string{login, nf, nf, nf, nf, nf, nf, "303 /admin/snippets", nf}},
		{"POST", "/admin/snippets/{id}/delete", officeSnippet, nil, [9]string{login, nf, nf, nf, nf, nf, nf, "303 /admin/snippets", nf}},
		// Inserting a snippet shows the form again; only the holder has one.
		{"POST", "/inbox/{id}/reply", taken, url.Values{"action": {"snippet"}, "snippet": {"aaaaaaaaaaaaaaaaaaaaaaaaaa"}, "body": {"typed"}},
			[9]string{carried, nf, nf, "422", nf, nf, nf, nf, nf}},
		{"POST", "/admin/settings/language", none, url.Values{"german_address": {"du"}}, [9]string{login, nf, nf, nf, nf, nf, nf, "303 /admin/settings", nf}},
		{"GET", "/admin/regions", none, nil, [9]string{login, nf, nf, nf, nf, nf, nf, "200", nf}},
		{"POST", "/admin/regions", none, url.Values{"name": {"Matrix North"}}, [9]string{login, nf, nf, nf, nf, nf, nf, "303 /admin/regions", nf}},
		{"GET", "/live", none, nil, [9]string{"200", "200", "200", "303 /live/queue", "303 /live/queue", "303 /live/queue", "303 /live/queue", "303 /live/queue", "303 /live/queue"}},
		{"GET", "/help", none, nil, [9]string{"200", "200", "200", "200", "200", "200", "200", "200", "200"}},
		{"GET", "/live/queue", none, nil, [9]string{login, nf, nf, "200", "200", "200", "200", nf, "200"}},
		{"POST", "/live/availability", none, url.Values{"available": {"1"}}, [9]string{login, nf, nf, "303 /live/queue", "303 /live/queue", "303 /live/queue", "303 /live/queue", nf, "303 /live/queue"}},
		{"GET", "/live/{id}", waiting, nil, [9]string{"303 /live", "200", nf, nf, nf, nf, nf, nf, nf}},
		// A supervisor of the office reads a running chat along.
		{"GET", "/live/{id}", chatting, nil, [9]string{"303 /live", "200", nf, "200", nf, nf, "200", nf, nf}},
		{"POST", "/live/{id}/accept", waiting, nil, [9]string{login, nf, nf, "303 /live/{id}", "303 /live/{id}", nf, "303 /live/{id}", nf, nf}},
		{"POST", "/live/{id}/accept", chatting, nil, [9]string{login, nf, nf, "409", "409", nf, "409", nf, nf}},
		{"POST", "/live/{id}/end", chatting, nil, [9]string{nf, "303 /live/{id}", nf, "303 /live/{id}", nf, nf, nf, nf, nf}},
		// An ended chat: its counsellor keeps its record (without its
		// messages), the office's supervisors read it on the conversation's
		// page and note on it, not on the live page; its help-seeker keeps it.
		{"GET", "/inbox/{id}", ended, nil, [9]string{login, nf, nf, "200", nf, nf, "200", nf, nf}},
		{"POST", "/inbox/{id}/note", ended, url.Values{"body": {"note"}}, [9]string{carried, nf, nf, "303 /inbox/{id}", nf, nf, "303 /inbox/{id}", nf, nf}},
		{"GET", "/live/{id}", ended, nil, [9]string{"303 /live", "200", nf, "200", nf, nf, nf, nf, nf}},
		{"GET", "/supervision?ended=2", none, nil, [9]string{login, nf, nf, nf, nf, nf, "200", nf, "200"}},
		{"GET", "/live/aaaaaaaaaaaaaaaaaaaaaaaaaa", none, nil, [9]string{"303 /live", nf, nf, nf, nf, nf, nf, nf, nf}},
		{"GET", "/live/callback", none, nil, [9]string{login, "200", "200", nf, nf, nf, nf, nf, nf}},
		// Seeker B is in contact with nobody.
		{"POST", "/live/callback", noCallbacks, url.Values{"counsellor": {c1.id}, "kind": {"chat"}}, [9]string{login, "303 /live/callback?done=requested", "422", nf, nf, nf, nf, nf, nf}},
		{"POST", "/live/callback/{id}/remove", requested, nil, [9]string{login, "303 /live/callback?done=removed", nf, nf, nf, nf, nf, nf, nf}},
		// Seeker A is not online, so the counsellor asked is told so.
		{"POST", "/live/callbacks/{id}/call", requested, nil, [9]string{login, nf, nf, "409", nf, nf, nf, nf, nf}},
		// Seeker A allows no contact: every counsellor is refused alike.
		{"POST", "/live/invite", none, url.Values{"seeker": {"{seekerA}"}, "kind": {"chat"}}, [9]string{login, nf, nf, "403", "403", "403", "403", nf, "403"}},
		{"GET", "/live/ring/ws", none, nil, [9]string{login, "403", "403", nf, nf, nf, nf, nf, nf}},
		{"GET", "/live/reach/ws", none, nil, [9]string{login, nf, nf, "403", "403", "403", "403", nf, "403"}},
		{"POST", "/live/rings/aaaaaaaaaaaaaaaaaaaaaaaaaa/accept", none, nil, [9]string{login, nf, nf, nf, nf, nf, nf, nf, nf}},
		{"POST", "/live/rings/aaaaaaaaaaaaaaaaaaaaaaaaaa/decline", none, nil, [9]string{login, nf, nf, nf, nf, nf, nf, nf, nf}},
		{"POST", "/account/contact", none, url.Values{"consent": {"0"}}, [9]string{login, "303 /account?saved=contact", "303 /account?saved=contact", nf, nf, nf, nf, nf, nf}},
		{"POST", "/admin/settings/callback", none, url.Values{"callback_expiry_hours": {"24"}}, [9]string{login, nf, nf, nf, nf, nf, nf, "303 /admin/settings?done=callback", nf}},
		{"GET", "/live/slots", none, nil, [9]string{login, nf, nf, "200", "200", "200", "200", nf, "200"}},
		{"POST", "/live/slots", none, url.Values{"start": {slotStart}, "minutes": {"30"}, "kind": {"chat"}},
			[9]string{login, nf, nf, "303 /live/slots", "303 /live/slots", "303 /live/slots", "303 /live/slots", nf, "303 /live/slots"}},
		{"POST", "/live/slots/{id}/book", freeSlot, nil, [9]string{login, "303 /live", "303 /live", nf, nf, nf, nf, nf, nf}},
		{"POST", "/live/slots/{id}/book", bookedSlot, nil, [9]string{login, "409", "409", nf, nf, nf, nf, nf, nf}},
		{"POST", "/live/slots/{id}/cancel", bookedSlot, nil, [9]string{login, "303 /live", nf, "303 /live/slots", nf, nf, nf, nf, nf}},
		{"POST", "/live/slots/{id}/cancel", freeSlot, nil, [9]string{login, nf, nf, "303 /live/slots", nf, nf, nf, nf, nf}},
		{"POST", "/live/slots/{id}/open", bookedSlot, nil, [9]string{login, "409", nf, "409", nf, nf, nf, nf, nf}},
		{"GET", "/live/slots/{id}/calendar.ics", bookedSlot, nil, [9]string{login, nf, nf, "200", nf, nf, nf, nf, nf}},
		{"GET", "/live/slots/{id}/calendar.ics", freeSlot, nil, [9]string{login, nf, nf, nf, nf, nf, nf, nf, nf}},
		{"POST", "/live/slots/aaaaaaaaaaaaaaaaaaaaaaaaaa/cancel", none, nil, [9]string{login, nf, nf, nf, nf, nf, nf, nf, nf}},
		{"GET", "/live/groups", none, nil, [9]string{login, nf, nf, "200", "200", "200", "200", "200", "200"}},
		{"POST", "/live/groups", none, groupForm, [9]string{login, nf, nf, nf, nf, nf, "303 /live/groups", "303 /live/groups", "422"}},
		{"GET", "/live/groups/{id}", runningGroup, nil, [9]string{login, "200", "200", "200", nf, nf, nf, nf, nf}},
		{"GET", "/live/groups/{id}/ws", joinedGroup, nil, [9]string{login, "403", nf, "403", nf, nf, nf, nf, nf}},
		{"POST", "/live/groups/{id}/join", runningGroup, url.Values{"accept_rules": {"yes"}},
			[9]string{login, "303 /live/groups/{id}", "303 /live/groups/{id}", nf, nf, nf, nf, nf, nf}},
		{"POST", "/live/groups/{id}/say", joinedGroup, url.Values{"body": {"hello"}},
			[9]string{login, "303 /live/groups/{id}#group-form", nf, "303 /live/groups/{id}#group-form", nf, nf, nf, nf, nf}},
		{"POST", "/live/groups/{id}/members/1/mute", joinedGroup, nil, [9]string{login, nf, nf, "303 /live/groups/{id}", nf, nf, nf, nf, nf}},
		{"POST", "/live/groups/{id}/members/1/remove", joinedGroup, nil, [9]string{login, nf, nf, "303 /live/groups/{id}", nf, nf, nf, nf, nf}},
		{"POST", "/live/groups/{id}/end", runningGroup, nil, [9]string{login, nf, nf, "303 /live/groups", nf, nf, nf, nf, nf}},
		{"GET", "/live/groups/aaaaaaaaaaaaaaaaaaaaaaaaaa", none, nil, [9]string{login, nf, nf, nf, nf, nf, nf, nf, nf}},
		// Last, because it makes the anonymous caller a guest.
		{"POST", "/inbox/{id}/group-call", taken, nil, [9]string{login, nf, nf, "303 /calls/", nf, nf, nf, nf, nf}},
		{"GET", "/calls/{id}", group, nil, [9]string{nf, "200", nf, "200", nf, nf, nf, nf, nf}},
		{"GET", "/calls/{id}/ws", group, nil, [9]string{nf, "403", nf, "403", nf, nf, nf, nf, nf}},
		{"POST", "/calls/{id}/end", group, nil, [9]string{nf, nf, nf, "303 /inbox", nf, nf, nf, nf, nf}},
		{"GET", "/calls/aaaaaaaaaaaaaaaaaaaaaaaaaa", none, nil, [9]string{nf, nf, nf, nf, nf, nf, nf, nf, nf}},
		// Last: the anonymous visitor becomes a guest.
		{"POST", "/live", none, url.Values{"theme": {"family"}}, [9]string{"303 /live/", "303 /live/", "303 /live/", nf, nf, nf, nf, nf, nf}},
	} {
		for i, caller := range callers {
			id := tc.thread()
			r := strings.NewReplacer("{id}", id, "{c1}", c1.id, "{c2}", c2.id, "{c3}", c3.id, "{pending}", pending, "{seekerA}", seekerAID)
			path := r.Replace(tc.path)
			form := url.Values{}
			for k, vs := range tc.form {
				for _, v := range vs {
					form.Add(k, r.Replace(v))
				}
			}
			var p page
			if tc.method == "GET" {
				p = caller.b.get(path)
			} else {
				p = caller.b.post(path, form)
			}
			got := fmt.Sprint(p.status)
			want := strings.ReplaceAll(tc.want[i], "{id}", id)
			if p.status == http.StatusSeeOther {
				got += " " + p.header.Get("Location")
			}
			if !strings.HasPrefix(got, want) || (p.status != http.StatusSeeOther && got != want) {
				t.Errorf("%s %s as %s: got %q, want %q", tc.method, tc.path, caller.name, got, want)
			}
		}
	}
}
