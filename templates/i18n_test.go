package templates_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/redact"
	"confidant/templates"
)

var (
	// T(ctx, "…"), Tf(ctx, "…", …), Tn(ctx, "…", n) in templates and Go.
	callRE = regexp.MustCompile(`\bT[fn]?\(ctx, "((?:[^"\\]|\\.)*)"`)
	// Texts handed to components (labels, hints, empty-list notes), which
	// translate them.
	componentRE = regexp.MustCompile(`@\w+\(([^\n]*)\)`)
	stringRE    = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
	// User messages of the domain and the store.
	domainRE = regexp.MustCompile(`(?:FieldError\([^,]+,|Errorf\([\w.]+,|\.Add\([\w"]+,|Message:)\s*"((?:[^"\\]|\\.)*)"`)
	// The actions the audit log records, which its page translates.
	auditRE = regexp.MustCompile(`(?:db\.audit(?:Saying)?\(ctx, tx, [^,]+, [^,]+, |action :?= |(?:added|renamed|retired): +)"([^"]+)"`)
	// The tables of the year report.
	tallyRE = regexp.MustCompile(`tallyTable\(ctx, "\w+", "([^"]+)", "([^"]+)"`)
	// Texts the templates' own Go functions return.
	returnRE = regexp.MustCompile(`return "((?:[^"\\]|\\.)*[ .][^"]*)"`)
	// Page titles, and the fixed texts of the web layer.
	pageRE  = regexp.MustCompile(`(?:: +|return )"((?:[^"\\]|\\.)*[ .][^"]*)"`)
	titleRE = regexp.MustCompile(`s\.page\(c, "((?:[^"\\]|\\.)+)"`)
)

func unquote(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, `\"`, `"`), `\n`, "\n")
}

// catalogue gathers every message id the help-seeker's pages, the error
// messages and the notification mails use.
func catalogue(t *testing.T) []string {
	t.Helper()
	ids := map[string]bool{}
	add := func(s string) {
		if s = unquote(s); s != "" {
			ids[s] = true
		}
	}
	read := func(glob string) map[string]string {
		files, _ := filepath.Glob(filepath.Join("..", glob))
		out := map[string]string{}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") || strings.HasSuffix(f, "_templ.go") {
				continue
			}
			if info, err := os.Stat(f); err != nil || info.IsDir() {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out[f] = string(b)
		}
		return out
	}
	for f, src := range read("templates/*.*") {
		for _, m := range callRE.FindAllStringSubmatch(src, -1) {
			add(m[1])
		}
		if strings.HasSuffix(f, "pages.templ") {
			for _, m := range returnRE.FindAllStringSubmatch(src, -1) {
				add(m[1])
			}
		}
		if !strings.HasSuffix(f, ".templ") {
			continue
		}
		for _, call := range componentRE.FindAllStringSubmatch(src, -1) {
			for _, lit := range stringRE.FindAllStringSubmatch(call[1], -1) {
				if strings.ContainsAny(lit[1], " ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
					add(lit[1])
				}
			}
		}
	}
	for _, glob := range []string{"counselling/*.go", "counselling/auth/*.go", "counselling/passwd/*.go", "store/*.go"} {
		for _, src := range read(glob) {
			for _, m := range domainRE.FindAllStringSubmatch(src, -1) {
				add(m[1])
			}
		}
	}
	for _, src := range read("counselling/web/*.go") {
		for _, m := range pageRE.FindAllStringSubmatch(src, -1) {
			add(m[1])
		}
		for _, m := range titleRE.FindAllStringSubmatch(src, -1) {
			add(m[1])
		}
		for _, m := range domainRE.FindAllStringSubmatch(src, -1) {
			add(m[1])
		}
	}
	for _, src := range read("store/*.go") {
		for _, m := range auditRE.FindAllStringSubmatch(src, -1) {
			add(m[1])
		}
	}
	for _, src := range read("templates/stats.go") {
		for _, m := range tallyRE.FindAllStringSubmatch(src, -1) {
			add(m[1])
			add(m[2])
		}
	}
	for _, b := range counselling.ResponseBuckets {
		add(templates.ResponseLabel(b.Name))
	}
	add(counselling.FormerStaff)
	for _, m := range counselling.MonthLabels {
		add(m)
	}
	for _, w := range []string{counselling.StatusOpen, counselling.StatusAssigned, counselling.StatusClosed,
		string(counselling.RoleCounsellor), string(counselling.RoleSupervisor), string(counselling.RoleAdmin), "Help-seeker", "Counsellor", "not given", counselling.OtherLabel} {
		add(w)
	}
	for _, o := range append(templates.AgeBandOptions(), templates.GenderOptions()...) {
		add(o.Label)
	}
	for _, th := range counselling.DefaultThemes {
		add(th.Name)
	}
	add(counselling.DefaultAnswerTime)
	for _, p := range []counselling.Promise{{Amount: 1, Unit: counselling.PromiseHours}, {Amount: 2, Unit: counselling.PromiseHours},
		{Amount: 1, Unit: counselling.PromiseWorkingDays}, {Amount: 2, Unit: counselling.PromiseWorkingDays}} {
		id, _ := p.Phrase()
		add(id)
	}
	for _, st := range counselling.InboxStatuses {
		add(templates.InboxStatusLabel(st))
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		add(templates.WeekdayName(context.Background(), d))
	}
	for _, m := range append(counselling.AuditDetailMessages, counselling.AuditActorOperator, counselling.AuditActorAutomatic,
		counselling.ChannelMail, counselling.ChannelChat, counselling.ChannelVideo) {
		add(m)
	}
	for _, name := range counselling.LanguageNames {
		add(name)
	}
	add(counselling.ExportExplanation)
	for _, p := range redact.Placeholders {
		add(p)
	}
	for _, m := range append(counselling.NicknameMessages.All(), counselling.StaffNameMessages.All()...) {
		add(m)
	}
	add(counselling.ErrorMessage(nil))
	subject, body := counselling.InviteText()
	add(subject)
	add(body)
	for _, k := range []counselling.NoticeKind{counselling.NoticeReceived, counselling.NoticeReply, counselling.NoticeDigest, counselling.NoticeInactive, counselling.NoticeDelayed, counselling.NoticeReset,
		counselling.NoticeAppointmentBooked, counselling.NoticeAppointmentCancelled} {
		subject, body := counselling.NoticeText(k)
		add(subject)
		add(body)
	}
	var out []string
	for id := range ids {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// TestEveryMessageIsTranslated fails when any message the code uses is missing
// in German, Danish or Dutch, or in formal German (with "Sie"), whose
// catalogue is complete as an office may choose it for all its pages.
func TestEveryMessageIsTranslated(t *testing.T) {
	ids := catalogue(t)
	if len(ids) < 100 {
		t.Fatalf("only %d messages found: the catalogue scan is broken", len(ids))
	}
	for _, lang := range []string{"de", "da", "nl", templates.FormalCatalogue("de")} {
		raw, err := os.ReadFile(filepath.Join("locales", lang+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var messages map[string]any
		if err := json.Unmarshal(raw, &messages); err != nil {
			t.Fatalf("%s.json: %v", lang, err)
		}
		var missing []string
		for _, id := range ids {
			if _, ok := messages[id]; !ok {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s.json lacks %d messages:\n%s", lang, len(missing), strings.Join(missing, "\n"))
		}
	}
}

func TestPluralsAndPlaceholders(t *testing.T) {
	ctx := templates.WithLanguage(context.Background(), "de")
	if got := templates.Tn(ctx, "{{.Count}} days", 1); got != "1 Tag" {
		t.Errorf("German singular: %q", got)
	}
	if got := templates.Tn(ctx, "{{.Count}} days", 3); got != "3 Tagen" && got != "3 Tage" {
		t.Errorf("German plural: %q", got)
	}
	if got := templates.Tf(templates.WithLanguage(context.Background(), "nl"), "Privacy terms (version {{.Version}})", "Version", 2); !strings.Contains(got, "2") || strings.Contains(got, "Privacy terms") {
		t.Errorf("Dutch with placeholder: %q", got)
	}
	if templates.Negotiate("da-DK,da;q=0.9,en;q=0.5") != "da" || templates.Negotiate("fr-FR") != "en" || templates.Negotiate("nl-BE") != "nl" {
		t.Error("Accept-Language is not negotiated")
	}
}
