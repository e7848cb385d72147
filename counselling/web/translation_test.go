package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"confidant/counselling"
	"confidant/counselling/mail"
	"confidant/counselling/mail/mailtest"
	"confidant/counselling/web"
	"confidant/templates"
)

// A German admin reads the audit log in German: who acted, what changed and
// when, with the names admins typed shown as typed.
func TestTheAuditLogDetailsAreReadInTheAdminsLanguage(t *testing.T) {
	o := newOffice(t)
	admin := o.enrol(counselling.RoleAdmin, "Ada Admin")
	gus := o.enrol(counselling.RoleCounsellor, "Gus Counsellor")
	admin.mustPost("/admin/staff/"+gus.id+"/role", url.Values{"role": {"supervisor"}}, "/admin")
	admin.mustPost("/admin/staff/"+gus.id+"/trainee", url.Values{"trainee": {"1"}}, "/admin")
	admin.mustPost("/admin/settings", url.Values{"name": {"Nordlicht"}, "answer_time": {"bald"}, "retain_mail_months": {"6"},
		"inactive_account_months": {"24"}, "chat_transcript_months": {"6"}}, "/admin/settings")
	admin.mustPost("/admin/themes", url.Values{"name": {"Geldsorgen"}}, "/admin/themes")
	body := admin.get("/admin/audit?lang=de").body
	d := parse(t, body)
	for _, want := range []string{
		"von Berater*in zu Supervisor*in",
		"in Ausbildung: Antworten brauchen eine Freigabe",
		"mit dem Namen „Geldsorgen“",
	} {
		if !d.hasText(want) {
			t.Errorf("the German audit log lacks %q", want)
		}
	}
	if !strings.Contains(body, "Name „Nordlicht“, Mails aufbewahrt 6 Monate") {
		t.Error("the German audit log does not tell the settings change in German")
	}
	for _, english := range []string{"counsellor", "supervisor", "→", "answer time", "mail kept", "trainee:", "replies need approval", "named"} {
		if strings.Contains(body, english) {
			t.Errorf("the German audit log says %q", english)
		}
	}
	if strings.Contains(body, " Jan ") || strings.Contains(body, " Mar ") || strings.Contains(body, " May ") {
		t.Error("the German audit log shows English month names")
	}
}

// The staff table names each role in the reader's language, and offers the
// domain's roles.
func TestTheStaffTableNamesRolesInTheReadersLanguage(t *testing.T) {
	o := newOffice(t)
	admin := o.enrol(counselling.RoleAdmin, "Ada Admin")
	o.enrol(counselling.RoleCounsellor, "Gus Counsellor")
	for _, lang := range []string{"de", "da", "nl"} {
		d := parse(t, admin.get("/admin?lang="+lang).body)
		options := d.all("option", nil)
		var labels []string
		for _, op := range options {
			labels = append(labels, textOf(op))
		}
		joined := strings.Join(labels, "|")
		for _, r := range counselling.Roles {
			if !strings.Contains(joined, templates.Translate(lang, string(r), nil, nil)) {
				t.Errorf("%s: no role option %q in %q", lang, templates.Translate(lang, string(r), nil, nil), joined)
			}
		}
		for _, l := range labels {
			if l == "counsellor" || l == "admin" || (lang == "de" && l == "supervisor") {
				t.Errorf("%s: the role option %q is the role's code", lang, l)
			}
		}
		if !d.hasText(templates.Translate(lang, "admin", nil, nil)) {
			t.Errorf("%s: the admin's own role is not named in %s", lang, lang)
		}
	}
}

// The settings page and the terms note name languages in the reader's
// language, and a German reader finds the default terms stored in German.
func TestLanguagesAreNamedInTheReadersLanguage(t *testing.T) {
	o := newOffice(t)
	admin := o.enrol(counselling.RoleAdmin, "Ada Admin")
	body := admin.get("/admin/settings?lang=de").body
	if !strings.Contains(body, "Verfügbar in: Englisch, Deutsch, Dänisch, Niederländisch.") {
		t.Error("the German settings page does not list the default terms' four languages in German")
	}
	seeker := o.browser()
	if p := seeker.get("/register?lang=de"); !strings.Contains(p.body, "Was du schreibst, speichern wir verschlüsselt") || strings.Contains(p.body, "We keep what you write") {
		t.Error("the German registration page does not show the stored German terms")
	}
	admin.mustPost("/admin/terms", url.Values{"terms_kind": {"new"}, "terms_lang": {"en"}, "terms_text": {"New terms, version two, in English only for now."}}, "/admin/settings")
	p := seeker.get("/register?lang=de")
	if !strings.Contains(p.body, "(Englisch)") || strings.Contains(p.body, "(English)") {
		t.Error("the German note on English-only terms does not name the language in German")
	}
}

// A help-seeker who registered on German pages exports their data in German:
// the terms text they accepted, the explanation and the theme names; the
// keys stay the same in every language.
func TestTheExportSpeaksTheHelpSeekersLanguage(t *testing.T) {
	o := newOffice(t)
	b := o.browser()
	if p := b.post("/register?lang=de", registration("Deutsche Feder", "a fine long password")); p.status != http.StatusSeeOther {
		t.Fatalf("register: %d", p.status)
	}
	b.write("family", "", "Something about my family.")
	body := b.get("/account/export").body
	var data counselling.Export
	if err := json.Unmarshal([]byte(body), &data); err != nil {
		t.Fatal(err)
	}
	if len(data.Consents) != 1 || data.Consents[0].TermsText != counselling.DefaultTerms["de"] {
		t.Errorf("the export does not show the German terms the help-seeker accepted: %+v", data.Consents)
	}
	if data.Explanation != templates.Translate("de", counselling.ExportExplanation, nil, nil) || data.Explanation == counselling.ExportExplanation {
		t.Errorf("the explanation is not in German: %q", data.Explanation)
	}
	if len(data.Threads) != 1 || data.Threads[0].Theme != "Familie" {
		t.Errorf("the theme is not named in German: %+v", data.Threads)
	}
	for _, key := range []string{`"explanation":`, `"consents":`, `"terms_text":`, `"threads":`} {
		if !strings.Contains(body, key) {
			t.Errorf("the export lacks the key %s", key)
		}
	}
}

// The invite mail is written in the language of the admin who sends it.
func TestTheInviteMailIsInTheAdminsLanguage(t *testing.T) {
	smtp := mailtest.Start(t)
	sender, err := mail.ParseURL(smtp.URL(), "Confidant <no-reply@localhost>")
	if err != nil {
		t.Fatal(err)
	}
	o := newOffice(t, func(c *web.Config) {
		c.MailEnabled = true
		c.SendInvite = func(ctx context.Context, lang, to, link string) error {
			return sender.SendInvite(ctx, translate, lang, to, link)
		}
	})
	admin := o.enrol(counselling.RoleAdmin, "Ada Admin")
	if p := admin.post("/admin/staff?lang=de", url.Values{"name": {"Neue Kollegin"}, "role": {"counsellor"}, "email": {"neu@example.org"}}); p.status != http.StatusOK {
		t.Fatalf("invite: %d", p.status)
	}
	mails := smtp.Mails()
	if len(mails) != 1 {
		t.Fatalf("%d mails, want the invite", len(mails))
	}
	m := mails[0].Data
	if !strings.Contains(m, "Subject: Deine Einladung zu Confidant") || !strings.Contains(m, "Stunden") || !strings.Contains(m, "/invite/") {
		t.Errorf("the invite mail is not in German:\n%s", m)
	}
	for _, english := range []string{"Your invitation", "You are invited", "one-time link"} {
		if strings.Contains(m, english) {
			t.Errorf("the German invite mail says %q", english)
		}
	}
}
