package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/store"
	"confidant/store/storetest"
)

func TestExportThenDeleteLeavesOnlyAnonymousNumbers(t *testing.T) {
	o := newOffice(t)
	o.addRegions("main", "Odense")
	seeker := o.browser()
	form := registration("Vanishing Heron", "herons leave no trace")
	form.Set("email", "heron.vanish@example.org")
	form.Set("region", "odense")
	seeker.mustPost("/register", form, "/threads")
	id := seeker.write("depression", "Grey weeks", "Every morning feels like wading through cold mud.")
	c := o.enrol(counselling.RoleCounsellor, "Kai")
	c.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	c.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"Thank you for telling me about the mud."}}, "/inbox/"+id)
	c.mustPost("/inbox/"+id+"/note", url.Values{"body": {"Secret staff note about mud"}}, "/inbox/"+id)

	exp := seeker.get("/account/export")
	if exp.status != http.StatusOK || !strings.HasPrefix(exp.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %q", exp.status, exp.header.Get("Content-Disposition"))
	}
	var data counselling.Export
	if err := json.Unmarshal([]byte(exp.body), &data); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	if data.Nickname != "Vanishing Heron" || data.Profile.Email != "heron.vanish@example.org" || data.Profile.Region != "Odense" ||
		len(data.Consents) != 1 || data.Consents[0].TermsVersion != 1 || data.Consents[0].TermsText == "" {
		t.Fatalf("export profile or consents wrong: %+v", data)
	}
	if len(data.Threads) != 1 || data.Threads[0].Subject != "Grey weeks" || len(data.Threads[0].Messages) != 2 ||
		data.Threads[0].Messages[1].Author != "Kai" || !strings.Contains(data.Threads[0].Messages[0].Body, "cold mud") {
		t.Fatalf("export threads wrong: %+v", data.Threads)
	}
	if strings.Contains(exp.body, "Secret staff note") {
		t.Fatal("the export holds the counsellor's private note")
	}

	if p := seeker.post("/account/delete", url.Values{"password": {"not my password"}}); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.body, "not your current password") {
		t.Fatalf("delete with a wrong password: %d", p.status)
	}
	if o.seekers() != 1 {
		t.Fatal("a wrong password deleted the account")
	}
	facts := o.db.Count(t, `SELECT count(*) FROM contact_facts`)
	var statsKey []byte
	raw := openRawDB(t, o)
	if err := raw.QueryRow(`SELECT stats_key FROM threads WHERE id = ?`, id).Scan(&statsKey); err != nil || len(statsKey) != 16 {
		t.Fatalf("thread has no statistics link: %v", err)
	}
	page := seeker.get("/account/delete")
	if !strings.Contains(page.body, "anonymous numbers") {
		t.Fatal("the delete page does not say what remains")
	}
	old := seeker.cookie()
	del := seeker.post("/account/delete", url.Values{"password": {"herons leave no trace"}})
	if del.status != http.StatusSeeOther || del.header.Get("Location") != "/" || !strings.Contains(del.header.Get("Clear-Site-Data"), "cookies") {
		t.Fatalf("delete: %d %q", del.status, del.header.Get("Location"))
	}
	if o.seekers() != 0 {
		t.Fatal("the account is still there")
	}
	for table, q := range map[string]string{
		"threads": `SELECT count(*) FROM threads`, "messages": `SELECT count(*) FROM messages`, "notes": `SELECT count(*) FROM notes`,
		"sessions of the seeker": `SELECT count(*) FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE a.kind = 'seeker'`,
		"outbox":                 `SELECT count(*) FROM outbox`, "consents": `SELECT count(*) FROM consents c JOIN accounts a ON a.id = c.account_id WHERE a.kind = 'seeker'`,
	} {
		if n := o.db.Count(t, q); n != 0 {
			t.Errorf("%d rows left in %s", n, table)
		}
	}
	if n := o.db.Count(t, `SELECT count(*) FROM contact_facts`); n != facts || n != 1 {
		t.Fatalf("anonymous facts: %d before, %d after; the fact must stay", facts, n)
	}
	replay := o.browser()
	u, _ := url.Parse(o.srv.URL)
	replay.client.Jar.SetCookies(u, []*http.Cookie{old})
	if p := replay.get("/threads"); p.status != http.StatusSeeOther {
		t.Fatalf("the old session still works: %d", p.status)
	}
	if p := c.get("/inbox/" + id); p.status != http.StatusNotFound {
		t.Fatalf("the counsellor still opens the deleted thread: %d", p.status)
	}
	if strings.Contains(c.get("/inbox").body, id) {
		t.Fatal("the deleted thread is still listed in the counsellor's inbox")
	}

	// Nothing readable is left in the database file or its WAL. (The fact
	// keeps the region's list entry on purpose: it is one of the anonymous
	// statistics.)
	for where, content := range o.db.Stored(t) {
		for _, secret := range []string{"Vanishing Heron", "vanishing heron", "heron.vanish@example.org", "cold mud", "Grey weeks"} {
			if bytes.Contains(content, []byte(secret)) {
				t.Errorf("%s still holds %q", where, secret)
			}
		}
	}
	// No column anywhere outside the statistics joins the fact to anything.
	assertNoColumnHolds(t, o.db, statsKey)
}

// assertNoColumnHolds scans every column of every table but those holding
// the anonymous facts (the tables named with one of keptIn's prefixes; by
// default the contact facts) for a value.
func assertNoColumnHolds(t *testing.T, db *storetest.DB, value []byte, keptIn ...string) {
	t.Helper()
	if len(keptIn) == 0 {
		keptIn = []string{"contact_fact"}
	}
	raw := db.Raw(t)
	for table, cols := range db.Columns(t) {
		if slices.ContainsFunc(keptIn, func(prefix string) bool { return strings.HasPrefix(table, prefix) }) {
			continue
		}
		rows, err := raw.Query(`SELECT ` + strings.Join(cols, ", ") + ` FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if bytes.Contains(fmt.Append(nil, v), value) {
					t.Errorf("%s.%s still holds the value: it can be joined back", table, cols[i])
				}
				if b, ok := v.([]byte); ok && bytes.Contains(b, value) {
					t.Errorf("%s.%s still holds the value: it can be joined back", table, cols[i])
				}
			}
		}
		rows.Close()
	}
}

func openRawDB(t *testing.T, o *office) *sql.DB {
	return o.db.Raw(t)
}

func TestRectifyDetailsAndEmail(t *testing.T) {
	o := newOffice(t)
	o.addRegions("main", "Esbjerg", "Ribe")
	b := o.browser()
	b.register("Changing Tide", "a fine long password")
	b.mustPost("/account", url.Values{"email": {"tide@example.org"}, "age_band": {"20-29"}, "gender": {"female"}, "region": {"Esbjerg"}}, "/account")
	p := b.get("/account")
	for _, want := range []string{"tide@example.org", "20 to 29", "Female", "<dd>Esbjerg</dd>", `value="esbjerg" selected`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("account page lacks %q after the change", want)
		}
	}
	if bad := b.post("/account", url.Values{"email": {"not an address"}, "age_band": {"20-29"}}); bad.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid email: %d", bad.status)
	}
	if !strings.Contains(b.get("/account").body, "tide@example.org") {
		t.Fatal("a refused change altered the stored details")
	}
	b.mustPost("/account", url.Values{"email": {""}, "age_band": {""}, "gender": {""}, "region": {""}}, "/account")
	var data counselling.Export
	json.Unmarshal([]byte(b.get("/account/export").body), &data)
	if p := b.get("/account"); strings.Contains(p.body, "tide@example.org") || strings.Contains(p.body, `value="esbjerg" selected`) || data.Profile.Region != "" {
		t.Fatal("the email or region was not removed")
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	o := newOffice(t)
	phone, laptop := o.browser(), o.browser()
	phone.register("Two Devices", "the first password")
	laptop.mustPost("/login", url.Values{"nickname": {"Two Devices"}, "password": {"the first password"}}, "/threads")
	if p := phone.post("/account/password", url.Values{"current_password": {"wrong"}, "new_password": {"the second password"}}); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong current password: %d", p.status)
	}
	if p := phone.post("/account/password", url.Values{"current_password": {"the first password"}, "new_password": {"password"}}); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("common new password: %d", p.status)
	}
	phone.mustPost("/account/password", url.Values{"current_password": {"the first password"}, "new_password": {"the second password"}}, "/account")
	if p := phone.get("/threads"); p.status != http.StatusOK {
		t.Fatalf("the device that changed the password was logged out: %d", p.status)
	}
	if p := laptop.get("/threads"); p.status != http.StatusSeeOther {
		t.Fatalf("the other device is still logged in: %d", p.status)
	}
	o.browser().mustPost("/login", url.Values{"nickname": {"Two Devices"}, "password": {"the second password"}}, "/threads")
}

func TestNewTermsAreAcceptedBeforeAnythingElse(t *testing.T) {
	o := newOffice(t)
	b := o.browser()
	b.register("Terms Reader", "a fine long password")
	if _, err := o.db.PublishTerms(context.Background(), o.officeID("main"), "en", "Version two of the terms.\n\nWe now also count page views."); err != nil {
		t.Fatal(err)
	}
	b.mustPost("/logout", nil, "/")
	b.mustPost("/login", url.Values{"nickname": {"Terms Reader"}, "password": {"a fine long password"}}, "/threads")
	for _, path := range []string{"/threads", "/threads/new", "/account"} {
		if p := b.get(path); p.status != http.StatusSeeOther || p.header.Get("Location") != "/terms" {
			t.Fatalf("%s before accepting: %d %s", path, p.status, p.header.Get("Location"))
		}
	}
	if p := b.get("/terms"); !strings.Contains(p.body, "We now also count page views.") {
		t.Fatal("the new terms are not shown")
	}
	if p := b.get("/account/export"); p.status != http.StatusOK {
		t.Fatalf("export before accepting: %d; leaving with one's data must stay possible", p.status)
	}
	b.mustPost("/terms", url.Values{"accept_terms": {"yes"}}, "/threads")
	if p := b.get("/threads"); p.status != http.StatusOK {
		t.Fatalf("after accepting: %d", p.status)
	}
	var data counselling.Export
	json.Unmarshal([]byte(b.get("/account/export").body), &data)
	if len(data.Consents) != 2 || data.Consents[1].TermsVersion != 2 || !strings.Contains(data.Consents[1].TermsText, "page views") {
		t.Fatalf("consent history: %+v", data.Consents)
	}
}

func TestSupervisorMakesTrainingFragment(t *testing.T) {
	o := newOffice(t)
	o.addRegions("main", "Roskilde")
	seeker := o.browser()
	form := registration("Silver Moth", "a fine long password")
	form.Set("region", "Roskilde")
	seeker.mustPost("/register", form, "/threads")
	id := seeker.write("violence", "", "I am Silver Moth, 16 years old, from Roskilde. On 4 May my stepfather Lars hit me. Call me on 20 30 40 50.")
	c := o.enrol(counselling.RoleCounsellor, "Nora")
	sup := o.enrol(counselling.RoleSupervisor, "Otto")
	c.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	c.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"Dear Silver Moth, this is Nora. Is Lars still at home?"}}, "/inbox/"+id)
	if p := c.get("/inbox/" + id + "/fragment"); p.status != http.StatusNotFound {
		t.Fatalf("a counsellor makes fragments: %d, want 404", p.status)
	}
	c.mustPost("/inbox/"+id+"/flag", url.Values{"reason": {"violence at home"}}, "/inbox/"+id)
	p := sup.get("/inbox/" + id + "/fragment?download=1")
	if p.status != http.StatusOK || !strings.HasPrefix(p.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("fragment download: %d", p.status)
	}
	for _, gone := range []string{"Silver Moth", "16", "Roskilde", "4 May", "Lars", "20 30 40 50", "Nora"} {
		if strings.Contains(p.body, gone) {
			t.Errorf("the fragment keeps %q:\n%s", gone, p.body)
		}
	}
	for _, kept := range []string{"Help-seeker:", "Counsellor:", "stepfather", "[NAME]", "[AGE]", "[PLACE]", "[DATE]", "[PHONE]"} {
		if !strings.Contains(p.body, kept) {
			t.Errorf("the fragment lacks %q:\n%s", kept, p.body)
		}
	}
}

// A reader that holds the WAL past the checkpoint's patience does not turn a
// deletion that happened into an error page: the help-seeker is logged out
// and sent home as usual, and the account is gone.
func TestDeletionOutlastedByAReaderLooksNormal(t *testing.T) {
	o := newOfficeOn(t, storetest.MustOpenSQLite(t, func(opts *store.Options) { opts.CheckpointPatience = 200 * time.Millisecond }))
	seeker := o.browser()
	seeker.register("Patient Heron", "herons leave no trace")
	seeker.write("family", "Soon gone", "Words that will go.")

	ctx := context.Background()
	reader, err := openRawDB(t, o).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if _, err := reader.ExecContext(ctx, `BEGIN`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := reader.QueryRowContext(ctx, `SELECT count(*) FROM messages`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	del := seeker.post("/account/delete", url.Values{"password": {"herons leave no trace"}})
	if del.status != http.StatusSeeOther || del.header.Get("Location") != "/" || !strings.Contains(del.header.Get("Clear-Site-Data"), "cookies") {
		t.Fatalf("delete while a reader holds the WAL: %d %q\n%s", del.status, del.header.Get("Location"), del.body)
	}
	reader.ExecContext(ctx, `COMMIT`)
	if o.seekers() != 0 {
		t.Fatal("the account is still there")
	}
	if n := o.db.Count(t, `SELECT count(*) FROM messages`); n != 0 {
		t.Fatalf("%d messages are left", n)
	}
}
