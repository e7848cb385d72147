package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"confidant/counselling"

	"golang.org/x/net/html"
)

// enquiries opens n enquiries of a theme in an office, through the store, each
// from its own help-seeker.
func (o *office) enquiries(officeSlug, theme string, n int, ageBand string) {
	o.t.Helper()
	ctx := context.Background()
	officeID := o.officeID(officeSlug)
	for i := range n {
		id, err := o.db.CreateSeeker(ctx, counselling.Registration{OfficeID: officeID, Nickname: officeSlug + " " + theme + " " + string(rune('a'+i/26)) + string(rune('a'+i%26)),
			AcceptTerms: true, Profile: counselling.Profile{AgeBand: ageBand}}, "$x")
		if err != nil {
			o.t.Fatal(err)
		}
		caller := counselling.Caller{AccountID: id, Kind: counselling.KindSeeker, OfficeID: officeID}
		if _, err := o.db.CreateThread(ctx, caller, counselling.Enquiry{Theme: theme, Body: "hello"}, false); err != nil {
			o.t.Fatal(err)
		}
	}
}

// tables reads the tables of a page: section id → rows of cell texts.
func tables(t *testing.T, body string) map[string][][]string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][][]string{}
	var text func(*html.Node) string
	text = func(n *html.Node) string {
		if n.Type == html.TextNode {
			return n.Data
		}
		var b strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			b.WriteString(text(c))
		}
		return b.String()
	}
	var walk func(n *html.Node, section string)
	walk = func(n *html.Node, section string) {
		if n.Type == html.ElementNode && n.Data == "section" {
			for _, a := range n.Attr {
				if a.Key == "aria-labelledby" {
					section = strings.TrimPrefix(a.Val, "table-")
				}
			}
		}
		if n.Type == html.ElementNode && n.Data == "tr" && section != "" {
			var row []string
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
					row = append(row, strings.TrimSpace(text(c)))
				}
			}
			out[section] = append(out[section], row)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, section)
		}
	}
	walk(doc, "")
	return out
}

func TestYearReportSuppressesAndCSVMatchesThePage(t *testing.T) {
	o := newOffice(t)
	// Every theme has 5 to 12 contacts but self-harm, which has 4.
	total := 0
	for i, theme := range counselling.DefaultThemes {
		n := 5 + i%8
		if theme.Slug == "self-harm" {
			n = 4
		}
		o.enquiries("main", theme.Slug, n, "15-19")
		total += n
	}
	admin := o.enrol(counselling.RoleAdmin, "Report Reader")
	page := admin.get("/admin/statistics?year=2026")
	if page.status != http.StatusOK {
		t.Fatalf("statistics: %d", page.status)
	}
	// The charts are rows of page text with a bar each: every theme has its
	// row with the table's value, the suppressed one shows "<5" and no bar,
	// the largest count has the full bar, and no chart text is drawn in SVG,
	// where it would shrink with the picture.
	d := parse(t, page.body)
	charts := d.all("figure", func(n *html.Node) bool { return strings.Contains(attr(n, "class"), "chart") })
	if len(charts) != 2 || !strings.Contains(textOf(charts[0]), "Contacts per theme in 2026") {
		t.Fatalf("want two titled charts, got %d", len(charts))
	}
	rows := doc{t: t, root: charts[0]}.all("li", nil)
	if len(rows) != len(counselling.DefaultThemes) {
		t.Fatalf("theme chart has %d rows, want %d", len(rows), len(counselling.DefaultThemes))
	}
	longest := 0
	for _, li := range rows {
		bar := doc{t: t, root: li}.all("rect", nil)
		if len(bar) != 1 || len(doc{t: t, root: li}.all("text", nil)) != 0 {
			t.Fatalf("a chart row draws its text in SVG or has no bar: %q", textOf(li))
		}
		width, _ := strconv.Atoi(attr(bar[0], "width"))
		longest = max(longest, width)
		if strings.Contains(textOf(li), "Self-harm") && (!strings.Contains(textOf(li), "<5") || width != 0) {
			t.Fatalf("the suppressed theme shows %q with a bar of %d", textOf(li), width)
		}
	}
	if longest != 100 {
		t.Fatalf("the largest count's bar is %d long, want 100", longest)
	}
	if strings.Contains(page.body, "<script>") {
		t.Fatal("the report page carries inline script")
	}
	tabs := tables(t, page.body)
	row := func(table, label string) []string {
		for _, r := range tabs[table] {
			if len(r) > 0 && r[0] == label {
				return r
			}
		}
		t.Fatalf("no row %q in table %q: %v", label, table, tabs[table])
		return nil
	}
	// A theme fewer than 5 contacts carry names no row: its contacts are in
	// the other row, whose count is hidden.
	for _, r := range tabs["themes"] {
		if len(r) > 0 && r[0] == "Self-harm" {
			t.Fatalf("4 self-harm contacts have a row of their own: %v", r)
		}
	}
	if got := row("themes", counselling.OtherLabel); got[len(got)-1] != "<5" {
		t.Fatalf("the 4 contacts of rare themes show as %q", got[len(got)-1])
	}
	hidden := 0
	for _, r := range tabs["themes"] {
		if r[len(r)-1] == "<5" {
			hidden++
		}
	}
	if hidden != 2 {
		t.Fatalf("%d yearly theme totals hidden, want 2: the 4 and a complement, or the total would give the 4 away", hidden)
	}
	if got := row("themes", "Loneliness"); got[len(got)-1] != "<5" {
		t.Fatalf("the complement should be the smallest other theme (loneliness, 5): it shows %q", got[len(got)-1])
	}
	if got := row("themes", "Family"); got[len(got)-1] != "6" {
		t.Fatalf("family shows %q, want 6", got[len(got)-1])
	}
	if got := row("themes", "All contacts"); got[len(got)-1] != itoa(int64(total)) {
		t.Fatalf("total %q, want %d", got[len(got)-1], total)
	}

	resp := admin.get("/admin/statistics.csv?year=2026")
	if resp.status != http.StatusOK || !strings.HasPrefix(resp.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", resp.status, resp.header.Get("Content-Type"))
	}
	r := csv.NewReader(strings.NewReader(resp.body))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Walk the CSV's tables in the page's order and compare every cell.
	var csvTables [][][]string
	for _, rec := range records {
		if len(rec) == 1 && strings.HasPrefix(rec[0], "# ") {
			csvTables = append(csvTables, nil)
			continue
		}
		if len(rec) == 1 && rec[0] == "" || len(csvTables) == 0 {
			continue
		}
		csvTables[len(csvTables)-1] = append(csvTables[len(csvTables)-1], rec)
	}
	order := []string{"themes", "months", "channels", "ages", "genders", "regions", "response", "summary", "chat-wait", "chat-duration", "group-sizes", "ratings", "staff-ratings", "views"}
	if len(csvTables) != len(order) {
		t.Fatalf("%d tables in the CSV, want %d", len(csvTables), len(order))
	}
	for i, id := range order {
		pageRows, csvRows := tabs[id], csvTables[i]
		if len(pageRows) != len(csvRows) {
			t.Fatalf("table %s: %d rows on the page, %d in the CSV", id, len(pageRows), len(csvRows))
		}
		for j := range pageRows {
			if strings.Join(pageRows[j], "|") != strings.Join(csvRows[j], "|") {
				t.Fatalf("table %s row %d: page %v, CSV %v", id, j, pageRows[j], csvRows[j])
			}
		}
	}
}

func TestAdminsSeeOnlyTheirOffice(t *testing.T) {
	o := newOffice(t)
	mainAdmin := o.enrol(counselling.RoleAdmin, "Main Admin")
	p := mainAdmin.post("/admin/offices", url.Values{"office_name": {"North Line"}, "slug": {"north"}, "admin_name": {"North Admin"}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "/invite/") {
		t.Fatalf("create office: %d", p.status)
	}
	northAdmin := o.enrolIn("north", counselling.RoleCounsellor, "North Counsellor")
	_ = northAdmin
	o.enquiries("north", "family", 30, "30-39")
	o.enquiries("main", "family", 7, "30-39")
	report := tables(t, mainAdmin.get("/admin/statistics?year=2026").body)
	for _, r := range report["themes"] {
		if r[0] == "All contacts" && r[len(r)-1] != "7" {
			t.Fatalf("main office's report counts %s contacts; office north's leak in", r[len(r)-1])
		}
	}
	if strings.Contains(mainAdmin.get("/admin").body, "North Counsellor") {
		t.Fatal("main's admin sees north's staff")
	}
	if p := mainAdmin.post("/admin/staff/"+northAdmin.id+"/disable", url.Values{"disabled": {"1"}}); p.status != http.StatusNotFound {
		t.Fatalf("main's admin disables north's counsellor: %d", p.status)
	}
	// A help-seeker can register with office north by its address.
	landing := o.browser().get("/o/north")
	if landing.status != http.StatusOK || !strings.Contains(landing.body, "North Line") || !strings.Contains(landing.body, "/register?office=north") {
		t.Fatalf("office landing: %d", landing.status)
	}
	seeker := o.browser()
	form := registration("Northern Light", "a fine long password")
	form.Set("office", "north")
	seeker.mustPost("/register", form, "/threads")
	if n := o.db.Count(t, `SELECT count(*) FROM accounts a JOIN offices o ON o.id = a.office_id WHERE o.slug = 'north' AND a.kind = 'seeker'`); n != 31 {
		t.Fatalf("north has %d help-seekers, want 31", n)
	}
}

func TestCounsellorsAndHelpSeekersGetNoAdminPages(t *testing.T) {
	o := newOffice(t)
	c := o.enrol(counselling.RoleCounsellor, "Not An Admin")
	s := o.enrol(counselling.RoleSupervisor, "Also Not Admin")
	seeker := o.browser()
	seeker.register("Curious Seeker", "a fine long password")
	for _, path := range []string{"/admin", "/admin/themes", "/admin/regions", "/admin/settings", "/admin/audit", "/admin/offices", "/admin/statistics", "/admin/statistics.csv", "/admin/research.csv"} {
		for name, b := range map[string]*browser{"counsellor": c.browser, "supervisor": s.browser, "help-seeker": seeker} {
			if p := b.get(path); p.status != http.StatusNotFound {
				t.Errorf("%s on %s: %d, want 404", name, path, p.status)
			}
		}
	}
}

func TestEveryAdminActionIsAudited(t *testing.T) {
	o := newOffice(t)
	admin := o.enrol(counselling.RoleAdmin, "Audit Admin")
	c := o.enrol(counselling.RoleCounsellor, "Audited Counsellor")
	if p := admin.post("/admin/staff", url.Values{"name": {"New Colleague"}, "role": {"counsellor"}}); p.status != http.StatusOK ||
		!strings.Contains(p.body, `id="invite-url"`) {
		t.Fatalf("invite: %d", p.status)
	}
	admin.mustPost("/admin/staff/"+c.id+"/role", url.Values{"role": {"supervisor"}}, "/admin")
	admin.mustPost("/admin/staff/"+c.id+"/trainee", url.Values{"trainee": {"1"}}, "/admin")
	admin.mustPost("/admin/staff/"+c.id+"/disable", url.Values{"disabled": {"1"}}, "/admin")
	if p := c.get("/inbox"); p.status != http.StatusSeeOther {
		t.Fatalf("a disabled counsellor's session still works: %d", p.status)
	}
	admin.mustPost("/admin/themes", url.Values{"name": {"Grief"}}, "/admin/themes")
	themes, _ := o.db.AllThemes(context.Background(), o.officeID("main"))
	var grief int64
	for _, th := range themes {
		if th.Slug == "grief" {
			grief = th.ID
		}
	}
	admin.mustPost("/admin/themes/"+itoa(grief)+"/rename", url.Values{"name": {"Grief and loss"}}, "/admin/themes")
	admin.mustPost("/admin/themes/"+itoa(grief)+"/retire", nil, "/admin/themes")
	admin.mustPost("/admin/settings", url.Values{"name": {"Night Line"}, "answer_time": {"within 3 days"}, "retain_mail_months": {"6"},
		"inactive_account_months": {"24"}, "chat_transcript_months": {"6"}}, "/admin/settings")
	admin.mustPost("/admin/terms", url.Values{"terms_text": {"New terms, version two."}}, "/admin/settings")
	if p := admin.post("/admin/settings", url.Values{"name": {""}, "answer_time": {"x"}, "retain_mail_months": {"0"}}); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid settings: %d", p.status)
	}
	log := admin.get("/admin/audit").body
	for _, want := range []string{"staff invited", "role changed", "trainee changed", "staff disabled", "theme added", "theme renamed",
		"theme retired", "settings changed", "privacy terms published", "Audited Counsellor", "Audit Admin"} {
		if !strings.Contains(log, want) {
			t.Errorf("the audit log lacks %q", want)
		}
	}
	office, _ := o.db.OfficeBySlug(context.Background(), "main")
	if office.Name != "Night Line" || office.Retention.MailMonths != 6 || office.TermsVersion != 2 {
		t.Fatalf("settings not saved: %+v", office)
	}
	if strings.Contains(o.browser().get("/threads/new").body, "Grief") {
		t.Fatal("a retired theme is still offered")
	}
}

func TestResearchExportOnlyHasGroupsOfK(t *testing.T) {
	o := newOffice(t)
	o.enquiries("main", "family", 8, "15-19")
	o.enquiries("main", "anxiety", 3, "50-64")
	admin := o.enrol(counselling.RoleAdmin, "Research Admin")
	p := admin.get("/admin/research.csv?year=2026&k=5")
	if p.status != http.StatusOK {
		t.Fatalf("research export: %d", p.status)
	}
	r := csv.NewReader(strings.NewReader(p.body))
	r.FieldsPerRecord = -1
	records, _ := r.ReadAll()
	if !strings.Contains(records[0][0], "k = 5") {
		t.Fatalf("header: %v", records[0])
	}
	groups := map[string]int{}
	for _, rec := range records[2:] {
		groups[strings.Join(rec[:5], "|")]++
	}
	total := 0
	for g, n := range groups {
		if n < 5 {
			t.Errorf("group %s has %d rows", g, n)
		}
		total += n
	}
	if total != 11 && !strings.Contains(records[0][0], "left out") {
		t.Fatalf("rows %d", total)
	}
	if p := admin.get("/admin/research.csv?year=2026&k=2"); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("k=2: %d, want refused", p.status)
	}
}

func TestOnlyTheFirstOfficesAdminsCreateOffices(t *testing.T) {
	o := newOffice(t)
	mainAdmin := o.enrol(counselling.RoleAdmin, "Main Admin")
	if p := mainAdmin.get("/admin"); !strings.Contains(p.body, `href="/admin/offices"`) {
		t.Fatal("the first office's admin is not offered the offices page")
	}
	mainAdmin.post("/admin/offices", url.Values{"office_name": {"North Line"}, "slug": {"north"}, "admin_name": {"North Admin"}})
	north := o.enrolIn("north", counselling.RoleAdmin, "North Boss")
	page := north.get("/admin")
	if page.status != http.StatusOK || !strings.Contains(page.body, "North Line") {
		t.Fatalf("north's admin does not administer north: %d", page.status)
	}
	if strings.Contains(page.body, `href="/admin/offices"`) {
		t.Fatal("north's admin is offered the offices page")
	}
	if p := north.get("/admin/offices"); p.status != http.StatusNotFound {
		t.Fatalf("north's admin opens the offices page: %d", p.status)
	}
	if p := north.post("/admin/offices", url.Values{"office_name": {"South Line"}, "slug": {"south"}, "admin_name": {"South Admin"}}); p.status != http.StatusNotFound {
		t.Fatalf("north's admin creates an office: %d", p.status)
	}
	if n := o.db.Count(t, `SELECT count(*) FROM offices WHERE slug = 'south'`); n != 0 {
		t.Fatal("an office was created by an admin who creates none")
	}
}
