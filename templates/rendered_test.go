package templates_test

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/templates"

	"github.com/a-h/templ"
	"golang.org/x/net/html"
)

// staffPages are pages drawn from data of every kind the office shows: a
// year report whose every row is filled, an audit log with an entry of each
// kind, the staff table with each role, an empty inbox and a terms note.
func staffPages() map[string]func() templ.Component {
	themes := make([]counselling.Theme, len(counselling.DefaultThemes))
	facts := &counselling.YearFacts{Tallies: map[string]map[string]int{}}
	for i, th := range counselling.DefaultThemes {
		themes[i] = counselling.Theme{ID: int64(i + 1), Slug: th.Slug, Name: th.Name}
		facts.Themes = append(facts.Themes, counselling.ThemeMonth{ThemeID: int64(i + 1), Month: 3, Count: 6})
	}
	fill := func(dim string, values ...string) {
		facts.Tallies[dim] = map[string]int{}
		for _, v := range values {
			facts.Tallies[dim][v] = 6
		}
	}
	fill(counselling.DimMonth, "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")
	fill(counselling.DimChannel, counselling.ChannelMail, counselling.ChannelChat, counselling.ChannelVideo)
	fill(counselling.DimAgeBand, append(counselling.AgeBands, "")...)
	fill(counselling.DimGender, append(counselling.Genders, "")...)
	fill(counselling.DimRegion, "")
	fill(counselling.DimRating, "1", "2", "3", "4", "5")
	var buckets []string
	for _, b := range counselling.ResponseBuckets {
		buckets = append(buckets, b.Name)
	}
	fill(counselling.DimFirstResponse, buckets...)
	report := counselling.BuildYearReport(2026, facts, themes, nil)
	inAll := func(en, de, da, nl string) map[string]string {
		return map[string]string{"en": en, "de": de, "da": da, "nl": nl}
	}
	questions := []counselling.SurveyQuestion{
		{ID: "q1", Moment: counselling.SurveyBeforeChat, Kind: counselling.SurveySingle, Texts: inAll("Found us?", "Gefunden?", "Fundet?", "Gevonden?"),
			Options: []map[string]string{inAll("School", "Schule", "Skole", "School"), inAll("Friends", "Freunde", "Venner", "Vrienden")}},
		{ID: "q2", Moment: counselling.SurveyAfterContact, Kind: counselling.SurveyMultiple, Texts: inAll("Helped?", "Geholfen?", "Hjulpet?", "Geholpen?"),
			Options: []map[string]string{inAll("Yes", "Ja", "Ja", "Ja"), inAll("No", "Nein", "Nej", "Nee")}},
		{ID: "q3", Moment: counselling.SurveyAfterContact, Kind: counselling.SurveyScale, Texts: inAll("Mood?", "Stimmung?", "Humør?", "Stemming?"), Retired: true},
	}
	report.Surveys = counselling.BuildSurveyTables(questions, map[string]map[int]int{"q1": {1: 6, 2: 7}, "q3": {5: 9}})

	office := &counselling.Office{ID: 1, Slug: "main", Name: "Confidant", TermsVersion: 1}
	at := time.Date(2026, time.March, 14, 9, 30, 0, 0, time.UTC)
	said := func(id string, args map[string]string, translated ...string) counselling.AuditDetail {
		return counselling.AuditDetail{ID: id, Args: args, Translated: translated}
	}
	audit := []counselling.AuditEntry{
		{At: at, ActorLabel: counselling.AuditActorOperator, Action: "staff invited", Target: "Gus", Said: said(string(counselling.RoleSupervisor), nil)},
		{At: at, ActorLabel: counselling.AuditActorAutomatic, Action: "many wrong passwords; logins now wait a minute", Said: said("a help-seeker's account", nil)},
		{At: at, Actor: "Ada", Action: "role changed", Target: "Gus", Said: said(counselling.AuditRoleChange,
			map[string]string{"Old": string(counselling.RoleCounsellor), "New": string(counselling.RoleAdmin)}, "Old", "New")},
		{At: at, Actor: "Ada", Action: "trainee changed", Target: "Gus", Said: said("trainee: replies need approval", nil)},
		{At: at, Actor: "Ada", Action: "trainee changed", Target: "Gus", Said: said("no longer trainee", nil)},
		{At: at, Actor: "Ada", Action: "settings changed", Said: said(counselling.AuditSettings, map[string]string{"Name": "Nordlicht",
			"AnswerTime": "bald", "MailMonths": "12", "Wipe": counselling.YesNo(true), "InactiveMonths": "24", "ChatMonths": "1", "Emergency": "112"}, "Wipe")},
		{At: at, Actor: "Ada", Action: "privacy terms published", Said: said(counselling.AuditTerms,
			map[string]string{"Version": "2", "Language": counselling.LanguageNames["en"]}, "Language")},
		{At: at, Actor: "Ada", Action: "theme added", Target: "money", Said: said(counselling.AuditNamed, map[string]string{"Name": "Geldsorgen"})},
	}
	var staff []counselling.StaffMember
	for i, r := range counselling.Roles {
		staff = append(staff, counselling.StaffMember{ID: "s" + strconv.Itoa(i), Name: "Member " + strconv.Itoa(i), Role: r, Enrolled: true})
	}
	page := templates.Page{Title: "Administration", User: &templates.User{Staff: true, Role: "admin"}}
	return map[string]func() templ.Component{
		"statistics": func() templ.Component {
			// Drawn with the language of the page, as the web layer does.
			return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
				return templates.Statistics(page, templates.StatisticsData{Office: office, Report: report, Tables: templates.StatTables(ctx, report)}).Render(ctx, w)
			})
		},
		"audit": func() templ.Component { return templates.AdminAudit(page, false, audit) },
		"surveys": func() templ.Component {
			return templates.AdminSurveys(page, templates.AdminSurveysData{Questions: questions, Message: "The survey is saved.",
				Form: templates.Form{Errors: map[string]string{"text_nl": "Please write the question in every language."}}})
		},
		"survey question": func() templ.Component {
			return templates.AdminSurveyQuestion(page, templates.AdminSurveyQuestionData{Question: questions[0]})
		},
		"staff": func() templ.Component {
			return templates.Admin(page, templates.AdminData{Office: office, Staff: staff, Self: "s2"})
		},
		"inbox": func() templ.Component {
			return templates.Inbox(page, templates.InboxData{Inbox: &counselling.Inbox{}, Supervisor: true, Now: at})
		},
		"terms note": func() templ.Component { return templates.TermsNote("en") },
	}
}

var hasLetter = regexp.MustCompile(`\pL`)

// TestPagesLookUpNoMissingMessage fails when a page asks the catalogue for a
// message it lacks, as the year report once did for its channel rows "mail",
// "chat" and "video": T falls back to the English id without a word, so only
// drawing the pages in each language finds such a key, which is computed
// while the office runs and so escapes the scan of the sources.
func TestPagesLookUpNoMissingMessage(t *testing.T) {
	for _, lang := range []string{"de", "da", "nl"} {
		for name, page := range staffPages() {
			var misses []string
			stop := templates.RecordMisses(func(l, id string) {
				if hasLetter.MatchString(id) {
					misses = append(misses, id)
				}
			})
			var buf bytes.Buffer
			err := page().Render(templates.WithLanguage(context.Background(), lang), &buf)
			stop()
			if err != nil {
				t.Fatal(err)
			}
			if len(misses) > 0 {
				t.Errorf("%s %s page: %d messages in no catalogue: %q", lang, name, len(misses), misses)
			}
		}
	}
}

// TestPagesHoldNoEnglishText draws the pages in German, Danish and Dutch and
// fails on any text on them that is an English message with a translation
// (a role shown as its code, an empty-list note passed in untranslated) or
// an English month name.
func TestPagesHoldNoEnglishText(t *testing.T) {
	english := map[string]bool{}
	for _, id := range catalogue(t) {
		english[id] = true
	}
	for _, l := range templates.Languages {
		delete(english, l.Label) // the language menu names each language in itself
	}
	months := regexp.MustCompile(`\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* 20\d\d\b`)
	for _, lang := range []string{"de", "da", "nl"} {
		for name, page := range staffPages() {
			var buf bytes.Buffer
			if err := page().Render(templates.WithLanguage(context.Background(), lang), &buf); err != nil {
				t.Fatal(err)
			}
			z := html.NewTokenizer(&buf)
			for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
				if tt != html.TextToken {
					continue
				}
				text := strings.TrimSpace(string(z.Text()))
				for _, part := range strings.Split(text, " · ") {
					if english[part] && templates.Translate(lang, part, nil, nil) != part {
						t.Errorf("%s %s page: English %q", lang, name, part)
					}
				}
				for _, s := range []string{"operator (command line)", "Confidant (automatic)", " → ", "answer time", "(English)"} {
					if strings.Contains(text, s) {
						t.Errorf("%s %s page: English %q in %q", lang, name, s, text)
					}
				}
				if months.MatchString(text) {
					t.Errorf("%s %s page: an English date in %q", lang, name, text)
				}
			}
		}
	}
}
