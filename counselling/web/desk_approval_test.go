package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/twofactor"
)

// An admin invited by an admin of an office that has one cannot log in until
// a second admin approves them; the approval is in the audit log; approved,
// they administer, and still read no conversation.
func TestANewAdminWaitsForASecondAdmin(t *testing.T) {
	o := newOffice(t)
	ada := o.enrol(counselling.RoleAdmin, "Ada Admin") // the office's first admin, made by the operator
	seeker := o.browser()
	seeker.register("Still Water", "the lake is calm tonight")
	thread := seeker.write("family", "", "My brother shouts every night.")

	p := ada.post("/admin/staff", url.Values{"name": {"Bea Admin"}, "role": {"admin"}})
	link := regexpMust(`id="invite-url">[^<]*/invite/([^<]+)<`).FindStringSubmatch(p.body)
	if p.status != http.StatusOK || link == nil {
		t.Fatalf("invite an admin: %d", p.status)
	}
	bea := o.browser()
	secret := secretOnPage.FindStringSubmatch(bea.get("/invite/" + link[1]).body)
	if secret == nil {
		t.Fatal("the invite page shows no secret")
	}
	code, _ := twofactor.Code(secret[1], o.db.Clock.Now())
	p = bea.post("/invite/"+link[1], url.Values{"password": {"staff password Bea Admin"}, "totp_code": {code}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "Another admin of this office must approve it before you can log in") {
		t.Fatalf("accepting the invite as a new admin: %d, want the page that says approval is needed", p.status)
	}
	if p := bea.get("/admin"); p.status != http.StatusSeeOther {
		t.Fatalf("a waiting admin reaches the administration: %d", p.status)
	}
	o.db.Clock.Advance(time.Minute)
	beaLogin := func() page {
		b := o.browser()
		p := b.post("/login", login("Bea Admin", "staff password Bea Admin"))
		if p.status != http.StatusSeeOther || p.header.Get("Location") != "/login/totp" {
			return p
		}
		code, _ := twofactor.Code(secret[1], o.db.Clock.Now())
		return b.post("/login/totp", url.Values{"code": {code}})
	}
	if p := beaLogin(); p.status == http.StatusSeeOther {
		t.Fatalf("a waiting admin logs in: %d %s", p.status, p.header.Get("Location"))
	}
	staff := ada.get("/admin").body
	if !strings.Contains(staff, "waits for another admin&#39;s approval") && !strings.Contains(staff, "waits for another admin's approval") {
		t.Fatal("the staff page does not show that the new admin waits for approval")
	}
	var beaID string
	for _, m := range mustStaff(t, o) {
		if m.Name == "Bea Admin" {
			beaID = m.ID
		}
	}
	if !strings.Contains(staff, "/admin/staff/"+beaID+"/approve") {
		t.Fatal("the staff page offers no approval")
	}

	ada.mustPost("/admin/staff/"+beaID+"/approve", nil, "/admin?done=approved")
	if p := ada.post("/admin/staff/"+beaID+"/approve", nil); p.status != http.StatusConflict || !strings.Contains(p.body, "This admin does not wait for approval.") {
		t.Fatalf("approving twice: %d", p.status)
	}
	o.db.Clock.Advance(time.Minute)
	if p := beaLogin(); p.status != http.StatusSeeOther {
		t.Fatalf("the approved admin cannot log in: %d\n%s", p.status, p.body)
	}
	audit := ada.get("/admin/audit").body
	if !strings.Contains(audit, "admin approved") || !strings.Contains(audit, "waits for another admin") {
		t.Fatal("the audit log does not record the waiting admin and the approval")
	}
	if p := ada.get("/inbox/" + thread); p.status != http.StatusNotFound {
		t.Fatalf("an admin opens a conversation: %d", p.status)
	}
}

// An admin who makes a colleague an admin makes them wait for a second
// admin's approval too: a role change is no way around it.
func TestPromotingToAdminWaitsForASecondAdmin(t *testing.T) {
	o := newOffice(t)
	ada := o.enrol(counselling.RoleAdmin, "Ada Admin")
	carl := o.enrol(counselling.RoleCounsellor, "Carl Counsellor")
	ada.mustPost("/admin/staff/"+carl.id+"/role", url.Values{"role": {"admin"}}, "/admin")
	if p := carl.get("/inbox"); p.status != http.StatusSeeOther {
		t.Fatalf("the promoted colleague's session lives on before approval: %d", p.status)
	}
	if n := o.db.Count(t, `SELECT count(*) FROM accounts WHERE id = ? AND awaiting_approval = 1`, carl.id); n != 1 {
		t.Fatal("the promoted colleague does not wait for approval")
	}
	ada.mustPost("/admin/staff/"+carl.id+"/approve", nil, "/admin?done=approved")
	if n := o.db.Count(t, `SELECT count(*) FROM accounts WHERE id = ? AND awaiting_approval = 0`, carl.id); n != 1 {
		t.Fatal("the approval did not take")
	}
}

func mustStaff(t *testing.T, o *office) []counselling.StaffMember {
	t.Helper()
	staff, err := o.db.Staff(t.Context(), o.officeID(counselling.DefaultOfficeSlug))
	if err != nil {
		t.Fatal(err)
	}
	return staff
}

// Where the office has another admin, the admin who made a new admin cannot
// approve them as well: four eyes see every new admin wherever there are four.
func TestTheAdminWhoMadeAnAdminCannotApproveThemAlone(t *testing.T) {
	o := newOffice(t)
	ada := o.enrol(counselling.RoleAdmin, "Ada Admin")
	cleo := o.enrol(counselling.RoleAdmin, "Cleo Admin")
	if p := ada.post("/admin/staff", url.Values{"name": {"Dan Admin"}, "role": {"admin"}}); p.status != http.StatusOK {
		t.Fatalf("invite an admin: %d", p.status)
	}
	var danID string
	for _, m := range mustStaff(t, o) {
		if m.Name == "Dan Admin" {
			danID = m.ID
		}
	}
	p := ada.post("/admin/staff/"+danID+"/approve", nil)
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "You made this admin, so another admin of the office must approve them.") {
		t.Fatalf("the inviting admin approves their own invitee while another admin could: %d", p.status)
	}
	if !strings.Contains(ada.get("/admin").body, "/admin/staff/"+danID+"/approve") {
		t.Fatal("the refused approval changed something: the new admin no longer waits")
	}
	cleo.mustPost("/admin/staff/"+danID+"/approve", nil, "/admin?done=approved")
}
