package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"confidant/counselling"
	"confidant/counselling/twofactor"
)

var secretOnPage = regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`)

// staffMember is an enrolled, logged-in staff member.
type staffMember struct {
	*browser
	id     string
	secret string
}

func (o *office) officeID(slug string) int64 {
	o.t.Helper()
	office, err := o.db.OfficeBySlug(context.Background(), slug)
	if err != nil {
		o.t.Fatal(err)
	}
	return office.ID
}

// enrol invites a staff member and goes through the invite page as they would:
// read the secret off the page, compute the code, set a password.
func (o *office) enrol(role counselling.Role, name string) *staffMember {
	return o.enrolIn(counselling.DefaultOfficeSlug, role, name)
}

func (o *office) enrolIn(officeSlug string, role counselling.Role, name string) *staffMember {
	o.t.Helper()
	token, err := o.db.CreateStaff(context.Background(), counselling.NewStaff{OfficeID: o.officeID(officeSlug), Role: role, Name: name})
	if err != nil {
		o.t.Fatal(err)
	}
	b := o.browser()
	p := b.get("/invite/" + token)
	m := secretOnPage.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		o.t.Fatalf("invite page: %d, secret found: %v", p.status, m != nil)
	}
	code, _ := twofactor.Code(m[1], o.db.Clock.Now())
	p = b.post("/invite/"+token, url.Values{"password": {"staff password " + name}, "totp_code": {code}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/inbox" {
		o.t.Fatalf("accept invite: %d %s\n%s", p.status, p.header.Get("Location"), p.body)
	}
	var id string
	staff, _ := o.db.Staff(context.Background(), o.officeID(officeSlug))
	for _, s := range staff {
		if s.Name == name {
			id = s.ID
		}
	}
	return &staffMember{browser: b, id: id, secret: m[1]}
}

var threadLocation = regexp.MustCompile(`^/threads/([a-z2-7]{26})$`)

// write opens an enquiry and returns the thread id.
func (b *browser) write(theme, subject, body string) string {
	b.o.t.Helper()
	p := b.post("/threads/new", url.Values{"theme": {theme}, "subject": {subject}, "body": {body}})
	m := threadLocation.FindStringSubmatch(p.header.Get("Location"))
	if p.status != http.StatusSeeOther || m == nil {
		b.o.t.Fatalf("new thread: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	return m[1]
}

func (b *browser) mustPost(path string, form url.Values, wantLocation string) {
	b.o.t.Helper()
	p := b.post(path, form)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), wantLocation) {
		b.o.t.Fatalf("POST %s: %d %q, want 303 to %s\n%s", path, p.status, p.header.Get("Location"), wantLocation, p.body)
	}
}

func regexpMust(p string) *regexp.Regexp { return regexp.MustCompile(p) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
