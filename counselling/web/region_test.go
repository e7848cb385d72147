package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"confidant/counselling"
)

// A region someone types never reaches the database: an office without a list
// takes nothing from the field, and an office with a list refuses what is not
// on it. After the account is deleted, the text is in neither the database
// file nor its WAL.
func TestTypedRegionIsStoredNowhere(t *testing.T) {
	const typed = "Springfield Elm Street 42"
	const password = "a fine long password"
	nowhere := func(t *testing.T, o *office) {
		t.Helper()
		for where, content := range o.db.Stored(t) {
			if bytes.Contains(content, []byte(typed)) {
				t.Errorf("%s holds the typed region %q", where, typed)
			}
		}
	}

	t.Run("office without a list", func(t *testing.T) {
		o := newOffice(t)
		b := o.browser()
		form := registration("Elm Walker", password)
		form.Set("region", typed)
		b.mustPost("/register", form, "/threads")
		b.write("family", "", "I would like to talk.")
		b.mustPost("/account", url.Values{"age_band": {"20-29"}, "region": {typed}}, "/account")
		if n := o.db.Count(t, `SELECT count(*) FROM contact_facts WHERE region IS NOT NULL`); n != 0 {
			t.Fatalf("%d facts carry a region although the office asks for none", n)
		}
		b.mustPost("/account/delete", url.Values{"password": {password}}, "/")
		nowhere(t, o)
	})

	t.Run("office with a list", func(t *testing.T) {
		o := newOffice(t)
		o.addRegions("main", "North Jutland", "South")
		b := o.browser()
		form := registration("Elm Walker", password)
		form.Set("region", typed)
		p := b.post("/register", form)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Please choose one of the regions in the list") {
			t.Fatalf("typed region at registration: %d, want 422 with a message on the field", p.status)
		}
		if o.seekers() != 0 {
			t.Fatal("a registration with a typed region was stored")
		}
		form.Set("region", "north-jutland")
		b.mustPost("/register", form, "/threads")
		b.write("family", "", "I would like to talk.")
		if p := b.post("/account", url.Values{"region": {typed}}); p.status != http.StatusUnprocessableEntity {
			t.Fatalf("typed region on the account page: %d, want 422", p.status)
		}
		if n := o.db.Count(t, `SELECT count(*) FROM contact_facts WHERE region = 'north-jutland'`); n != 1 {
			t.Fatalf("%d facts carry the chosen entry, want 1", n)
		}
		if p := b.get("/account/export"); !strings.Contains(p.body, `"region": "North Jutland"`) {
			t.Fatalf("the export does not name the chosen region: %s", p.body)
		}
		b.mustPost("/account/delete", url.Values{"password": {password}}, "/")
		if n := o.db.Count(t, `SELECT count(*) FROM contact_facts WHERE region = 'north-jutland'`); n != 1 {
			t.Fatalf("the anonymous fact lost its region entry: %d", n)
		}
		nowhere(t, o)
	})
}

func TestOfficeWithoutRegionsDoesNotAsk(t *testing.T) {
	o := newOffice(t)
	b := o.browser()
	if p := b.get("/register"); strings.Contains(p.body, `name="region"`) {
		t.Fatal("the registration form asks for a region, but the office has no list")
	}
	b.register("Plain Asker", "a fine long password")
	if p := b.get("/account"); strings.Contains(p.body, `name="region"`) || strings.Contains(p.body, "Region") {
		t.Fatal("the account page asks for a region, but the office has no list")
	}
	o.addRegions("main", "Harbour Side")
	for _, path := range []string{"/register", "/account"} {
		var p page
		if path == "/register" {
			p = o.browser().get(path)
		} else {
			p = b.get(path)
		}
		if !strings.Contains(p.body, `<select id="region" name="region"`) || !strings.Contains(p.body, `<option value="harbour-side">Harbour Side</option>`) {
			t.Errorf("%s does not offer the office's region list", path)
		}
	}
}

func TestAdminKeepsTheRegionList(t *testing.T) {
	o := newOffice(t)
	admin := o.enrol(counselling.RoleAdmin, "Region Admin")
	if !strings.Contains(admin.get("/admin").body, `href="/admin/regions"`) {
		t.Fatal("the admin navigation has no link to the regions")
	}
	registerForm := func() string { return o.browser().get("/register").body }

	admin.mustPost("/admin/regions", url.Values{"name": {"North Jutland"}}, "/admin/regions")
	if !strings.Contains(registerForm(), `<option value="north-jutland">North Jutland</option>`) {
		t.Fatal("an added region is not offered on /register")
	}
	if p := admin.post("/admin/regions", url.Values{"name": {"north jutland"}}); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.body, "A region with this name exists already") {
		t.Fatalf("the same region twice: %d", p.status)
	}
	if p := admin.post("/admin/regions", url.Values{"name": {"  "}}); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("an empty region name: %d", p.status)
	}
	regions, err := o.db.Regions(context.Background(), o.officeID("main"))
	if err != nil || len(regions) != 1 {
		t.Fatalf("regions %v, %v", regions, err)
	}
	id := itoa(regions[0].ID)

	admin.mustPost("/admin/regions/"+id+"/rename", url.Values{"name": {"Nordjylland"}}, "/admin/regions")
	if f := registerForm(); !strings.Contains(f, `<option value="north-jutland">Nordjylland</option>`) || strings.Contains(f, "North Jutland") {
		t.Fatal("a renamed region is not offered under its new name (and the same slug)")
	}
	admin.mustPost("/admin/regions/"+id+"/retire", nil, "/admin/regions")
	if f := registerForm(); strings.Contains(f, "Nordjylland") || strings.Contains(f, `name="region"`) {
		t.Fatal("a retired region is still offered, or the field stays with no region left")
	}
	if p := admin.post("/admin/regions/999999/rename", url.Values{"name": {"Elsewhere"}}); p.status != http.StatusNotFound {
		t.Fatalf("renaming a region that does not exist: %d", p.status)
	}

	// Another office's admin cannot touch this office's regions.
	if _, err := o.db.CreateOffice(context.Background(), "north", "North office"); err != nil {
		t.Fatal(err)
	}
	other := o.enrolIn("north", counselling.RoleAdmin, "Other Admin")
	if p := other.post("/admin/regions/"+id+"/rename", url.Values{"name": {"Taken over"}}); p.status != http.StatusNotFound {
		t.Fatalf("an admin of another office renames a region: %d", p.status)
	}

	log := admin.get("/admin/audit").body
	for _, want := range []string{"region added", "region renamed", "region retired", "north-jutland"} {
		if !strings.Contains(log, want) {
			t.Errorf("the audit log lacks %q", want)
		}
	}
	for _, lang := range []string{"de", "da", "nl"} {
		p := admin.get("/admin/regions?lang=" + lang)
		if p.status != http.StatusOK || strings.Contains(p.body, "Add a region") {
			t.Errorf("/admin/regions in %s: %d, or still in English", lang, p.status)
		}
	}
}

// A theme or region named like a spreadsheet formula reaches every CSV the
// office writes as plain text.
func TestCSVCellsCannotBeFormulas(t *testing.T) {
	const formula = `=HYPERLINK("http://x","y")`
	o := newOffice(t)
	admin := o.enrol(counselling.RoleAdmin, "Sheet Admin")
	admin.mustPost("/admin/themes", url.Values{"name": {formula}}, "/admin/themes")
	admin.mustPost("/admin/regions", url.Values{"name": {formula}}, "/admin/regions")
	regions, _ := o.db.Regions(context.Background(), o.officeID("main"))
	ctx := context.Background()
	for i := range 6 {
		id, err := o.db.CreateSeeker(ctx, counselling.Registration{OfficeID: o.officeID("main"), Nickname: "sheet seeker " + string(rune('a'+i)),
			AcceptTerms: true, Profile: counselling.Profile{AgeBand: "20-29", Gender: "female", Region: regions[0].Slug}}, "$x")
		if err != nil {
			t.Fatal(err)
		}
		caller := counselling.Caller{AccountID: id, Kind: counselling.KindSeeker, OfficeID: o.officeID("main")}
		if _, err := o.db.CreateThread(ctx, caller, counselling.Enquiry{Theme: "family", Body: "hello"}, false); err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range []string{"/admin/statistics.csv?year=2026", "/admin/research.csv?year=2026&k=5"} {
		p := admin.get(path)
		if p.status != http.StatusOK {
			t.Fatalf("%s: %d", path, p.status)
		}
		r := csv.NewReader(strings.NewReader(p.body))
		r.FieldsPerRecord = -1
		records, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s is not CSV: %v", path, err)
		}
		found := false
		for _, rec := range records {
			for _, cell := range rec {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("%s has a cell a spreadsheet would run: %q", path, cell)
				}
				found = found || cell == "'"+formula
			}
		}
		if !found {
			t.Errorf("%s does not carry the name as plain text %q:\n%s", path, "'"+formula, p.body)
		}
	}
}
