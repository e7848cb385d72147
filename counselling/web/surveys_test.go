package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"confidant/counselling"
)

var questionLink = regexp.MustCompile(`/admin/surveys/([a-z2-7]{26})/retire`)

// questionForm is an admin's form for a question, written in every
// language; options are one per line, the same in each.
func questionForm(moment, kind, text, options string) url.Values {
	f := url.Values{"moment": {moment}, "kind": {kind}}
	for _, lang := range counselling.SurveyLanguages {
		f.Set("text_"+lang, text+" ("+lang+")")
		f.Set("options_"+lang, options)
	}
	return f
}

// addQuestion adds a question through the admin's page and returns its id.
func addQuestion(t *testing.T, admin *staffMember, form url.Values) string {
	t.Helper()
	before := questionLink.FindAllStringSubmatch(admin.get("/admin/surveys").body, -1)
	admin.mustPost("/admin/surveys", form, "/admin/surveys")
	for _, m := range questionLink.FindAllStringSubmatch(admin.get("/admin/surveys").body, -1) {
		if !slices.ContainsFunc(before, func(b []string) bool { return b[1] == m[1] }) {
			return m[1]
		}
	}
	t.Fatal("the new question is not listed")
	return ""
}

// refusedInline checks that a form came back with the reason on itself: the
// status, an error summary that takes the focus and links to the field, and
// the reason, and not the error page.
func refusedInline(t *testing.T, p page, status int, field, reason string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d\n%s", p.status, status, p.body)
	}
	if !strings.Contains(p.body, `class="error-summary" role="alert"`) || !strings.Contains(p.body, "autofocus") ||
		!strings.Contains(p.body, reason) {
		t.Fatalf("the form does not come back with its error summary and %q:\n%s", reason, p.body)
	}
	if field != "" && (!strings.Contains(p.body, `href="#`+field+`"`) || !strings.Contains(p.body, `id="`+field+`"`)) {
		t.Fatalf("the summary does not link to the field %s on the page", field)
	}
	if strings.Contains(p.body, `<p class="lead">`) {
		t.Fatal("the refusal is on an error page of its own, not on the form")
	}
}

func TestAdminKeepsSurveyQuestions(t *testing.T) {
	o := newOffice(t)
	adm := o.enrol(counselling.RoleAdmin, "Survey Admin")
	if p := adm.get("/admin/surveys"); p.status != http.StatusOK || !strings.Contains(p.body, "No questions are asked at this moment.") {
		t.Fatalf("empty survey page: %d", p.status)
	}

	// Bad input: clear reasons on the form, in the reader's language, and
	// nothing stored.
	bad := questionForm("before-chat", "single", "How did you hear of us?", "Only one")
	bad.Set("text_nl", "")
	p := adm.post("/admin/surveys", bad)
	refusedInline(t, p, http.StatusUnprocessableEntity, "text_nl", "Please write the question in every language.")
	if !strings.Contains(p.body, "Please give from 2 to 10 answers, one per line.") || !strings.Contains(p.body, `value="How did you hear of us? (en)"`) {
		t.Error("the refused form lacks the options' reason or what was typed")
	}
	if p := adm.post("/admin/surveys?lang=de", bad); !strings.Contains(p.body, "Bitte die Frage in jeder Sprache schreiben.") {
		t.Error("the reason is not in the reader's language")
	}
	adm.get("/admin/surveys?lang=en")
	if p := adm.post("/admin/surveys", questionForm("during-chat", "essay", "Odd", "")); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.body, "Please choose when the question is asked.") || !strings.Contains(p.body, "Please choose how the question is answered.") {
		t.Errorf("an unknown moment and kind: %d", p.status)
	}
	if n := o.db.Count(t, `SELECT count(*) FROM survey_questions`); n != 0 {
		t.Fatalf("%d questions stored from refused forms", n)
	}

	found := addQuestion(t, adm, questionForm("before-chat", "single", "How did you hear of us?", "School\nFriends\nOnline"))
	mood := addQuestion(t, adm, questionForm("after-contact", "scale", "How do you feel now?", ""))
	page := adm.get("/admin/surveys?lang=de").body
	for _, want := range []string{"How did you hear of us? (de)", "Friends", "How do you feel now? (de)", "Vor einem Live-Chat", "Eine Skala von 1 bis 5"} {
		if !strings.Contains(page, want) {
			t.Errorf("the German survey page lacks %q", want)
		}
	}
	adm.get("/admin/surveys?lang=en")

	// A change rewords and adds options, never takes one away.
	if p := adm.get("/admin/surveys/" + found); p.status != http.StatusOK || !strings.Contains(p.body, "School\nFriends\nOnline") {
		t.Fatalf("the change page: %d", p.status)
	}
	refusedInline(t, adm.post("/admin/surveys/"+found, questionForm("", "", "How did you hear of us?", "School\nFriends")),
		http.StatusUnprocessableEntity, "options_en", "Answers cannot be taken away")
	adm.mustPost("/admin/surveys/"+found, questionForm("", "", "Where did you hear of us?", "At school\nFrom friends\nOnline\nOn the radio"), "/admin/surveys")
	page = adm.get("/admin/surveys").body
	if !strings.Contains(page, "Where did you hear of us? (en)") || !strings.Contains(page, "On the radio") || strings.Contains(page, "How did you hear") {
		t.Error("the change is not shown")
	}

	adm.mustPost("/admin/surveys/"+mood+"/retire", nil, "/admin/surveys")
	if p := adm.get("/admin/surveys/" + mood); p.status != http.StatusNotFound {
		t.Errorf("a retired question is changed: %d", p.status)
	}
	if p := adm.get("/admin/surveys"); !strings.Contains(p.body, "retired") || strings.Contains(p.body, "/admin/surveys/"+mood+"/retire") {
		t.Error("the retired question is not shown as retired")
	}

	// A survey stays short.
	for i := range counselling.MaxSurveyQuestions - 1 {
		addQuestion(t, adm, questionForm("before-chat", "scale", "Scale "+strconv.Itoa(i), ""))
	}
	refusedInline(t, adm.post("/admin/surveys", questionForm("before-chat", "scale", "One too many", "")), http.StatusUnprocessableEntity, "",
		"A survey has at most 8 questions at each moment")
	if p := adm.get("/admin/audit"); !strings.Contains(p.body, "survey question added") || !strings.Contains(p.body, "survey question retired") {
		t.Error("the audit log does not record the survey's changes")
	}
}

func TestSurveyBeforeChat(t *testing.T) {
	o := newOffice(t)
	adm := o.enrol(counselling.RoleAdmin, "Survey Admin")
	q := addQuestion(t, adm, questionForm("before-chat", "single", "How did you hear of us?", "School\nFriends\nOnline"))
	field := counselling.SurveyField(q)

	guest := o.browser()
	p := guest.get("/live")
	if !strings.Contains(p.body, "How did you hear of us? (en)") || !strings.Contains(p.body, `name="`+field+`"`) ||
		!strings.Contains(p.body, "Start chat without the survey") {
		t.Fatal("/live does not offer the survey before the chat")
	}
	chats := func() int { return o.db.Count(t, `SELECT count(*) FROM threads WHERE channel = 'chat'`) }
	facts := func() int { return o.db.Count(t, `SELECT count(*) FROM survey_facts`) }

	// Bad input: the reason on the form, no chat and no answer kept.
	p = guest.post("/live", url.Values{"theme": {"family"}, field: {"9"}})
	refusedInline(t, p, http.StatusUnprocessableEntity, field, "Please choose one of the answers offered.")
	if !strings.Contains(p.body, `value="family" selected`) {
		t.Error("the chosen theme is lost")
	}
	refusedInline(t, guest.post("/live", url.Values{"theme": {"family"}, "q-aaaaaaaaaaaaaaaaaaaaaaaaaa": {"1"}}), http.StatusUnprocessableEntity, "",
		"This survey has no such question.")
	if p := guest.post("/live?lang=nl", url.Values{"theme": {"family"}, field: {"0"}}); !strings.Contains(p.body, "Kies een van de aangeboden antwoorden.") {
		t.Error("the reason is not in the reader's language")
	}
	if chats() != 0 || facts() != 0 || guest.cookie() != nil {
		t.Fatalf("a refused survey started a chat (%d) or kept answers (%d)", chats(), facts())
	}

	// Skipping is one click, whatever was chosen; answering starts the chat
	// too.
	chatOf(t, guest.post("/live?lang=en", url.Values{"theme": {"family"}, field: {"9"}, "survey": {"skip"}}))
	if chats() != 1 || facts() != 0 {
		t.Fatalf("skipping: %d chats, %d answers", chats(), facts())
	}
	chatOf(t, o.browser().post("/live", url.Values{"theme": {"family"}}))
	chatOf(t, o.browser().post("/live", url.Values{"theme": {"anxiety"}, field: {"2"}}))
	if chats() != 3 || o.db.Count(t, `SELECT count(*) FROM survey_facts WHERE question_id = ? AND value = 2`, q) != 1 || facts() != 1 {
		t.Fatalf("answering: %d chats, %d answers", chats(), facts())
	}
}

// TestSurveyAfterContactLeavesNoLink: a help-seeker with an account and a
// guest answer the survey after their contact; the answers are anonymous
// facts that nothing joins to the person, the conversation or the time
// beyond the month, and they stay when the account goes.
func TestSurveyAfterContactLeavesNoLink(t *testing.T) {
	o := newOffice(t)
	adm := o.enrol(counselling.RoleAdmin, "Survey Admin")
	c := o.enrol(counselling.RoleCounsellor, "Survey Counsellor")
	q := addQuestion(t, adm, questionForm("after-contact", "scale", "How do you feel now?", ""))
	field := counselling.SurveyField(q)

	seeker := o.browser()
	seeker.register("Surveyed Swan", "a fine long password")
	id := seeker.write("family", "", "a question about my family")
	c.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	c.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"an answer"}}, "/inbox/"+id)
	action := `action="/threads/` + id + `/survey"`
	if strings.Contains(seeker.get("/threads/"+id).body, action) {
		t.Fatal("the survey is offered before the contact is over")
	}
	if p := seeker.post("/threads/"+id+"/survey", url.Values{field: {"3"}}); p.status != http.StatusConflict {
		t.Fatalf("answering before the contact is over: %d", p.status)
	}
	c.mustPost("/inbox/"+id+"/close", nil, "/inbox")
	if p := seeker.get("/threads/" + id); !strings.Contains(p.body, action) || !strings.Contains(p.body, "How do you feel now? (en)") {
		t.Fatal("the closed conversation offers no survey")
	}
	refusedInline(t, seeker.post("/threads/"+id+"/survey", url.Values{field: {"7"}}), http.StatusUnprocessableEntity, field,
		"Please choose a number from 1 to 5.")
	if p := c.post("/threads/"+id+"/survey", url.Values{field: {"3"}}); p.status != http.StatusNotFound {
		t.Errorf("a counsellor answered the help-seeker's survey: %d", p.status)
	}
	if n := o.db.Count(t, `SELECT count(*) FROM survey_facts`); n != 0 {
		t.Fatalf("%d answers kept from refused forms", n)
	}
	seeker.mustPost("/threads/"+id+"/survey", url.Values{field: {"4"}}, "/threads/"+id)
	if p := seeker.get("/threads/" + id); !strings.Contains(p.body, "Thank you for answering the survey.") {
		t.Error("the answer is not confirmed")
	}

	// A guest answers after their chat, with the chat's pass.
	c.mustPost("/live/availability", url.Values{"available": {"1"}}, "/live/queue")
	guest, chat := startGuestChat(t, o, "anxiety")
	pass := regexpFind(t, guest.get("/live/"+chat).body, `name="pass" value="([0-9a-f]{64})"`)
	c.mustPost("/live/"+chat+"/accept", nil, "/live/"+chat)
	c.mustPost("/live/"+chat+"/end", nil, "/live/"+chat)
	if p := guest.post("/live/"+chat+"/survey", url.Values{"pass": {pass}, field: {"5"}}); p.status != http.StatusOK ||
		!strings.Contains(p.body, "Thank you for answering the survey.") {
		t.Fatalf("the guest's answer: %d\n%s", p.status, p.body)
	}

	raw := openRawDB(t, o)
	// The facts hold only these columns, each within its range.
	names := slices.Clone(o.db.Columns(t)["survey_facts"])
	slices.Sort(names)
	if want := []string{"fact_key", "month", "office_id", "question_id", "value", "year"}; !slices.Equal(names, want) {
		t.Fatalf("survey_facts has the columns %v, want only %v", names, want)
	}
	now := o.db.Clock.Now().UTC()
	rows, err := raw.Query(`SELECT fact_key, office_id, question_id, year, month, value FROM survey_facts`)
	if err != nil {
		t.Fatal(err)
	}
	var keys [][]byte
	var values []int
	for rows.Next() {
		var key []byte
		var office int64
		var question string
		var year, month, value int
		if err := rows.Scan(&key, &office, &question, &year, &month, &value); err != nil {
			t.Fatal(err)
		}
		if office != o.officeID("main") || question != q || year != now.Year() || month != int(now.Month()) || len(key) != 16 {
			t.Errorf("a fact holds more than the office, question, year and month: %d %s %d %d", office, question, year, month)
		}
		keys, values = append(keys, key), append(values, value)
	}
	rows.Close()
	slices.Sort(values)
	if !slices.Equal(values, []int{4, 5}) {
		t.Fatalf("the facts hold the answers %v, want 4 and 5", values)
	}
	// Nothing outside the facts holds their keys, and the facts hold nothing
	// of the people or their conversations.
	for _, key := range keys {
		assertNoColumnHolds(t, o.db, key, "survey_facts")
	}
	var seekerID, guestID string
	raw.QueryRow(`SELECT seeker_id FROM threads WHERE id = ?`, id).Scan(&seekerID)
	raw.QueryRow(`SELECT seeker_id FROM threads WHERE id = ?`, chat).Scan(&guestID)
	var created int64
	raw.QueryRow(`SELECT created_at FROM threads WHERE id = ?`, id).Scan(&created)
	for _, v := range []string{seekerID, guestID, id, chat, pass, "Surveyed Swan", strconv.FormatInt(created, 10), seeker.cookie().Value} {
		assertFactsHoldNone(t, raw, v)
	}

	// The answers stay when the account goes.
	seeker.mustPost("/account/delete", url.Values{"password": {"a fine long password"}}, "/")
	if n := o.db.Count(t, `SELECT count(*) FROM survey_facts`); n != 2 {
		t.Fatalf("%d answers left after the account was deleted, want 2", n)
	}
}

// assertFactsHoldNone reads every value of every survey fact for a text (an
// id, a name, a time written out).
func assertFactsHoldNone(t *testing.T, raw *sql.DB, value string) {
	t.Helper()
	rows, err := raw.Query(`SELECT fact_key, office_id, question_id, year, month, value FROM survey_facts`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		vals := make([]any, 6)
		ptrs := make([]any, 6)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if strings.Contains(string(fmt.Append(nil, v)), value) || (func() bool { b, ok := v.([]byte); return ok && strings.Contains(string(b), value) })() {
				t.Errorf("a survey fact holds %q", value)
			}
		}
	}
}

// TestGuestRatesAfterTheChat: a guest, whose session ends with the chat,
// rates it from the page that showed the chat, or from the page they see
// when they end it themselves; a problem shows on the form.
func TestGuestRatesAfterTheChat(t *testing.T) {
	o := newOffice(t)
	c := o.enrol(counselling.RoleCounsellor, "Guest Counsellor")
	c.mustPost("/live/availability", url.Values{"available": {"1"}}, "/live/queue")

	guest, id := startGuestChat(t, o, "loneliness")
	page := guest.get("/live/" + id).body
	if !strings.Contains(page, `id="chat-after" hidden`) || !strings.Contains(page, `action="/live/`+id+`/rating"`) {
		t.Fatal("the guest's chat page holds no rating form for the end of the chat")
	}
	pass := regexpFind(t, page, `name="pass" value="([0-9a-f]{64})"`)
	if p := guest.post("/live/"+id+"/rating", url.Values{"pass": {pass}, "score": {"3"}}); p.status != http.StatusConflict {
		t.Fatalf("a guest rated a chat still waiting: %d", p.status)
	}
	c.mustPost("/live/"+id+"/accept", nil, "/live/"+id)
	c.mustPost("/live/"+id+"/end", nil, "/live/"+id)

	for _, wrong := range []string{"", strings.Repeat("0", 64), pass[:63] + "x"} {
		if p := guest.post("/live/"+id+"/rating", url.Values{"pass": {wrong}, "score": {"3"}}); p.status != http.StatusNotFound {
			t.Errorf("pass %q: %d, want 404", wrong, p.status)
		}
	}
	p := guest.post("/live/"+id+"/rating", url.Values{"pass": {pass}, "score": {"7"}, "comment": {"kept on the form"}})
	refusedInline(t, p, http.StatusUnprocessableEntity, "score", "Please choose a rating from 1 to 5.")
	if !strings.Contains(p.body, "kept on the form") || !strings.Contains(p.body, `value="`+pass+`"`) {
		t.Error("the refused rating lost the comment or the pass")
	}
	p = guest.post("/live/"+id+"/rating", url.Values{"pass": {pass}, "score": {"2"}, "comment": {"the guest's sealed remark"}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "You rated this conversation 2 of 5") {
		t.Fatalf("the guest's rating: %d\n%s", p.status, p.body)
	}
	refusedInline(t, guest.post("/live/"+id+"/rating", url.Values{"pass": {pass}, "score": {"5"}}), http.StatusConflict, "",
		"You have already rated this conversation.")
	if n := o.db.Count(t, `SELECT count(*) FROM contact_facts WHERE rating = 2`); n != 1 {
		t.Errorf("%d facts hold the guest's rating, want 1", n)
	}
	if n := o.db.Count(t, `SELECT count(*) FROM ratings WHERE CAST(comment AS TEXT) LIKE '%sealed remark%'`); n != 0 {
		t.Error("the guest's comment is stored in clear")
	}
	if strings.Contains(c.get("/inbox/"+id).body, "sealed remark") || strings.Contains(c.get("/live/"+id).body, "sealed remark") {
		t.Error("the counsellor reads the guest's comment")
	}

	// A guest who ends the chat themselves rates it from the page that
	// follows.
	guest2, id2 := startGuestChat(t, o, "family")
	c.mustPost("/live/"+id2+"/accept", nil, "/live/"+id2)
	p = guest2.post("/live/"+id2+"/end", nil)
	if p.status != http.StatusOK || !strings.Contains(p.body, "The chat has ended") || !strings.Contains(p.body, `action="/live/`+id2+`/rating"`) {
		t.Fatalf("the end of a guest's chat offers no rating: %d", p.status)
	}
	pass2 := regexpFind(t, p.body, `name="pass" value="([0-9a-f]{64})"`)
	if pass2 == pass {
		t.Fatal("two chats share a pass")
	}
	if p := guest2.post("/live/"+id+"/rating", url.Values{"pass": {pass2}, "score": {"1"}}); p.status != http.StatusNotFound {
		t.Errorf("one chat's pass rated another chat: %d", p.status)
	}
	if p := guest2.post("/live/"+id2+"/rating", url.Values{"pass": {pass2}, "score": {"5"}}); !strings.Contains(p.body, "You rated this conversation 5 of 5") {
		t.Errorf("the second guest's rating: %d", p.status)
	}
	if p := guest2.get("/live/" + id2); p.status != http.StatusSeeOther {
		t.Errorf("the guest's session outlived the chat: %d", p.status)
	}
}

// TestSurveyAnswersInYearReport: the year report and its CSV show each
// question's answers with the small cells hidden like every table.
func TestSurveyAnswersInYearReport(t *testing.T) {
	o := newOffice(t)
	adm := o.enrol(counselling.RoleAdmin, "Survey Admin")
	q := addQuestion(t, adm, questionForm("before-chat", "single", "Did you find us easily?", "Yes\nNo\nWith help"))
	var answers []counselling.SurveyAnswer
	for value, n := range map[int]int{1: 6, 2: 7, 3: 2} {
		for range n {
			answers = append(answers, counselling.SurveyAnswer{QuestionID: q, Value: value})
		}
	}
	if err := o.db.AnswerBeforeChat(context.Background(), o.officeID("main"), answers); err != nil {
		t.Fatal(err)
	}
	if err := o.db.AnswerBeforeChat(context.Background(), o.officeID("main"), []counselling.SurveyAnswer{{QuestionID: q, Value: 4}}); err == nil {
		t.Fatal("the store kept an option the question does not offer")
	}
	year := strconv.Itoa(o.db.Clock.Now().UTC().Year())
	page := adm.get("/admin/statistics?year=" + year).body
	section := page[strings.Index(page, "Survey: Did you find us easily? (en)"):]
	section = section[:strings.Index(section, "</table>")]
	for _, want := range []string{`<th scope="row">Yes</th><td>&lt;5</td>`, `<th scope="row">No</th><td>7</td>`,
		`<th scope="row">With help</th><td>&lt;5</td>`, `<th scope="row">Total</th><td>15</td>`} {
		if !strings.Contains(section, want) {
			t.Errorf("the report's survey table lacks %s:\n%s", want, section)
		}
	}
	csv := adm.get("/admin/statistics.csv?year=" + year).body
	if !strings.Contains(csv, "# Survey: Did you find us easily? (en)") || !strings.Contains(csv, "No,7") || !strings.Contains(csv, "Yes,<5") ||
		strings.Contains(csv, "Yes,6") || strings.Contains(csv, "With help,2") {
		t.Errorf("the CSV's survey table:\n%s", csv)
	}
	if de := adm.get("/admin/statistics?year=" + year + "&lang=de").body; !strings.Contains(de, "Umfrage: Did you find us easily? (de)") {
		t.Error("the German report does not name the question in German")
	}
}
