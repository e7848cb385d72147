package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"confidant/counselling"
)

// TestAuthorizationMatrix checks every route and method against every kind of
// caller, with the exact status each must get. What a caller may not see is
// not found, never forbidden, so its existence stays hidden.
func TestAuthorizationMatrix(t *testing.T) {
	o := newOffice(t)
	if _, err := o.db.CreateOffice(context.Background(), "north", "North office"); err != nil {
		t.Fatal(err)
	}
	seekerA, seekerB := o.browser(), o.browser()
	seekerA.register("Seeker Alpha", "a fine long password")
	seekerB.register("Seeker Beta", "a fine long password")
	c1 := o.enrol(counselling.RoleCounsellor, "Assigned One")
	c2 := o.enrol(counselling.RoleCounsellor, "Colleague Two")
	c3 := o.enrolIn("north", counselling.RoleCounsellor, "Elsewhere Three")
	sup := o.enrol(counselling.RoleSupervisor, "Supervisor Four")
	adm := o.enrol(counselling.RoleAdmin, "Admin Five")
	callers := []struct {
		name string
		b    *browser
	}{
		{"anonymous", o.browser()}, {"seeker A", seekerA}, {"seeker B", seekerB}, {"assigned counsellor", c1.browser},
		{"other counsellor", c2.browser}, {"counsellor of another office", c3.browser}, {"supervisor", sup.browser}, {"admin", adm.browser},
	}

	open := func() string { return seekerA.write("family", "matrix", "a message for the matrix") }
	taken := func() string {
		id := open()
		c1.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
		return id
	}
	none := func() string { return "" }

	const (
		login = "303 /login"
		nf    = "404"
	)
	for _, tc := range []struct {
		method, path string
		thread       func() string
		form         url.Values
		want         [8]string
	}{
		{"GET", "/threads", none, nil, [8]string{login, "200", "200", nf, nf, nf, nf, nf}},
		{"GET", "/threads/new", none, nil, [8]string{login, "200", "200", nf, nf, nf, nf, nf}},
		{"POST", "/threads/new", none, url.Values{"theme": {"other"}, "body": {"hi"}}, [8]string{login, "303 /threads/", "303 /threads/", nf, nf, nf, nf, nf}},
		{"GET", "/threads/{id}", taken, nil, [8]string{login, "200", nf, nf, nf, nf, nf, nf}},
		{"POST", "/threads/{id}/reply", taken, url.Values{"body": {"more"}}, [8]string{login, "303 /threads/{id}", nf, nf, nf, nf, nf, nf}},
		{"GET", "/account", none, nil, [8]string{login, "200", "200", nf, nf, nf, nf, nf}},
		{"GET", "/inbox", none, nil, [8]string{login, nf, nf, "200", "200", "200", "200", "303 /admin"}},
		{"POST", "/inbox/{id}/take", open, nil, [8]string{login, nf, nf, "303 /inbox/{id}", "303 /inbox/{id}", nf, "303 /inbox/{id}", nf}},
		{"POST", "/inbox/{id}/take", taken, nil, [8]string{login, nf, nf, "303 /inbox/{id}", "409", nf, "409", nf}},
		{"GET", "/inbox/{id}", taken, nil, [8]string{login, nf, nf, "200", nf, nf, nf, nf}},
		{"GET", "/inbox/{id}", open, nil, [8]string{login, nf, nf, nf, nf, nf, nf, nf}},
		{"POST", "/inbox/{id}/reply", taken, url.Values{"body": {"answer"}}, [8]string{login, nf, nf, "303 /inbox/{id}", nf, nf, nf, nf}},
		{"POST", "/inbox/{id}/note", taken, url.Values{"body": {"note"}}, [8]string{login, nf, nf, "303 /inbox/{id}", nf, nf, nf, nf}},
		{"POST", "/inbox/{id}/themes", taken, url.Values{"theme": {"family"}}, [8]string{login, nf, nf, "303 /inbox/{id}", nf, nf, nf, nf}},
		{"POST", "/inbox/{id}/handover", taken, url.Values{"to": {c2.id}}, [8]string{login, nf, nf, "303 /inbox", nf, nf, nf, nf}},
		{"POST", "/inbox/{id}/flag", taken, url.Values{"reason": {"risk"}}, [8]string{login, nf, nf, "303 /inbox/{id}", nf, nf, nf, nf}},
		{"POST", "/inbox/{id}/close", taken, nil, [8]string{login, nf, nf, "303 /inbox", nf, nf, nf, nf}},
		{"POST", "/inbox/{id}/approve", taken, url.Values{"message": {"aaaaaaaaaaaaaaaaaaaaaaaaaa"}}, [8]string{login, nf, nf, nf, nf, nf, nf, nf}},
		{"GET", "/inbox/aaaaaaaaaaaaaaaaaaaaaaaaaa", none, nil, [8]string{login, nf, nf, nf, nf, nf, nf, nf}},
		{"GET", "/threads/aaaaaaaaaaaaaaaaaaaaaaaaaa", none, nil, [8]string{login, nf, nf, nf, nf, nf, nf, nf}},
		{"GET", "/admin", none, nil, [8]string{login, nf, nf, nf, nf, nf, nf, "200"}},
		{"POST", "/admin/staff/{c1}/trainee", none, url.Values{"trainee": {"0"}}, [8]string{login, nf, nf, nf, nf, nf, nf, "303 /admin"}},
	} {
		for i, caller := range callers {
			id := tc.thread()
			path := strings.NewReplacer("{id}", id, "{c1}", c1.id).Replace(tc.path)
			var p page
			if tc.method == "GET" {
				p = caller.b.get(path)
			} else {
				p = caller.b.post(path, tc.form)
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
