package web_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"confidant/counselling"
	"confidant/templates"

	"golang.org/x/net/html"
)

// hasText reports whether some element of the page reads exactly text.
func (d doc) hasText(text string) bool {
	return len(d.all("", func(n *html.Node) bool { return textOf(n) == text })) > 0
}

func TestAGermanAdminReadsStaffNameProblemsInGerman(t *testing.T) {
	o := newOffice(t)
	admin := o.enrol(counselling.RoleAdmin, "Ada Admin")
	admin.get("/admin?lang=de")
	for name, message := range map[string]string{
		"ab":                    "Please choose a name of at least 3 characters.",
		strings.Repeat("n", 40): "Please choose a name of at most 32 characters.",
		"ada@example.org":       "A name cannot contain @. Please do not use an email address.",
	} {
		p := admin.post("/admin/staff", url.Values{"name": {name}, "role": {"counsellor"}})
		if p.status != http.StatusUnprocessableEntity {
			t.Errorf("staff name %q: %d, want 422", name, p.status)
		}
		want := templates.Translate("de", message, nil, nil)
		if want == message || !parse(t, p.body).hasText(want) {
			t.Errorf("staff name %q: the page does not say %q", name, want)
		}
		if strings.Contains(p.body, message) || strings.Contains(p.body, "nickname") {
			t.Errorf("staff name %q: the German page holds the English message", name)
		}
	}
}

func TestTheDutchStaffMenuIsDutch(t *testing.T) {
	o := newOffice(t)
	for _, role := range []counselling.Role{counselling.RoleCounsellor, counselling.RoleAdmin} {
		m := o.enrol(role, "Menu "+string(role))
		d := parse(t, m.get("/inbox/settings?lang=nl").body)
		var items []string
		for _, nav := range d.all("nav", func(n *html.Node) bool {
			return attr(n, "aria-label") == "Hoofdmenu" || attr(n, "aria-label") == templates.Translate("nl", "Main", nil, nil)
		}) {
			for _, a := range (doc{t: t, root: nav}).all("a", nil) {
				items = append(items, textOf(a))
			}
		}
		want := []string{"Meldingen"}
		if role == counselling.RoleAdmin {
			want = append(want, "Beheer")
		} else {
			want = append(want, "Inbox")
		}
		for _, w := range want {
			if !strings.Contains(strings.Join(items, "|"), w) {
				t.Errorf("%s: the Dutch menu reads %q, lacking %q", role, items, w)
			}
		}
		if strings.Contains(strings.Join(items, "|"), "Notifications") {
			t.Errorf("%s: the Dutch menu says Notifications", role)
		}
	}
}

// Handlers answer a missing page with the domain's not-found, which the one
// error handler turns into the page in the reader's language.
func TestHandlersReturnTheDomainsNotFound(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(src), "echo.ErrNotFound") {
			t.Errorf("%s returns echo.ErrNotFound", f)
		}
	}
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Not Found Seeker", "a fine long password")
	req := "/inbox?lang=da"
	p := seeker.get(req)
	if p.status != http.StatusNotFound || !parse(t, p.body).hasText(templates.Translate("da",
		"We could not find that page. It may have been deleted, or you may not be allowed to see it.", nil, nil)) {
		t.Errorf("a help-seeker on the inbox: %d, not the Danish not-found page", p.status)
	}
}

func TestTheHandoverMenuNamesRolesInTheReadersLanguage(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Handed Over", "a fine long password")
	id := seeker.write("other", "", "Something else entirely.")
	a := o.enrol(counselling.RoleCounsellor, "Gus")
	o.enrol(counselling.RoleSupervisor, "Hal")
	a.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	d := parse(t, a.get("/inbox/"+id+"?lang=de").body)
	want := "Hal (" + templates.Translate("de", "supervisor", nil, nil) + ")"
	if !d.hasText(want) || d.hasText("Hal (supervisor)") {
		t.Errorf("the German handover menu does not offer %q", want)
	}
}

func TestTheAuditLogIsReadInTheAdminsLanguage(t *testing.T) {
	o := newOffice(t)
	admin := o.enrol(counselling.RoleAdmin, "Ada Admin")
	admin.mustPost("/admin/themes", url.Values{"name": {"Money worries"}}, "/admin/themes")
	d := parse(t, admin.get("/admin/audit?lang=de").body)
	if !d.hasText(templates.Translate("de", "theme added", nil, nil)) || d.hasText("theme added") {
		t.Error("the German audit log does not say Thema hinzugefügt")
	}
}
