//go:build e2e

package e2e

import (
	"context"
	"database/sql"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	_ "github.com/mattn/go-sqlite3"
)

// workday: a help-seeker's enquiry waits past the office's promise; the
// counsellor who holds it finds it under the overdue filter, marked; the
// counsellor records an absence with a colleague as stand-in; the help-seeker
// reads that the answer is late and that a colleague will answer; the
// stand-in answers; once the absence is ended the stand-in no longer sees it.
func workday(t *testing.T, s *suite, parent context.Context, counsellor *browser) {
	t.Helper()
	writer := s.newBrowser(parent, "waiting", "en-GB,en;q=0.9")
	writer.do(chromedp.Navigate(s.base+"/register"), chromedp.WaitReady(chromedp.CSS("#nickname")),
		chromedp.SendKeys(chromedp.CSS("#nickname"), "Patient Wren"),
		chromedp.SendKeys(chromedp.CSS("#password"), "waiting by the window"),
		chromedp.Click(chromedp.CSS("#accept_terms")),
		chromedp.Submit(chromedp.CSS("#nickname")))
	writer.waitPath("/threads")
	writer.do(chromedp.Navigate(s.base+"/threads/new"), chromedp.WaitReady(chromedp.CSS("#body")),
		chromedp.SetValue(chromedp.CSS("#theme"), "loneliness"),
		chromedp.SetValue(chromedp.CSS("#body"), "Nobody at home listens to me."),
		chromedp.Submit(chromedp.CSS("#body")))
	writer.waitPath("/threads/[a-z2-7]{26}")
	threadID := writer.location()[strings.LastIndex(writer.location(), "/")+1:]
	if !strings.Contains(writer.bodyText(), "You will have an answer by") {
		t.Error("the help-seeker is not told when the answer is due")
	}
	counsellor.do(chromedp.Navigate(s.base+"/inbox"), chromedp.WaitReady(chromedp.CSS("body")),
		chromedp.Click(chromedp.CSS(`form[action="/inbox/`+threadID+`/take"] button`)))
	counsellor.waitPath("/inbox/" + threadID)

	// Three working days pass: the test moves the due time into the past,
	// as the wait would have.
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(s.data, "confidant.db")+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE threads SET due_at = ? WHERE id = ?`, time.Now().Add(-time.Hour).Unix(), threadID); err != nil {
		t.Fatal(err)
	}
	counsellor.visit("/inbox?status=overdue", "inbox-overdue")
	if n := run(counsellor, chromedp.Evaluate[int](`document.querySelectorAll('a[href="/inbox/`+threadID+`"]').length`)); n != 1 {
		t.Fatalf("the overdue filter does not list the late conversation (%d links)", n)
	}
	if n := run(counsellor, chromedp.Evaluate[int](`document.querySelectorAll('.badge.danger').length`)); n < 1 {
		t.Error("the late conversation is not marked overdue")
	}
	if got := run(counsellor, chromedp.Evaluate[string](`document.querySelector('[aria-current="page"]').getAttribute('href')`)); got != "/inbox?status=overdue" {
		t.Errorf("the current filter is %q, not the overdue one", got)
	}

	// A colleague joins, and the counsellor records an absence from today
	// with them as stand-in.
	out, err := exec.Command(s.binary, "staff", "add", "--role", "counsellor", "--name", "Sam Stand", "--data", s.data,
		"--base-url", s.base).Output()
	if err != nil {
		t.Fatal(err)
	}
	stand := s.newBrowser(parent, "stand-in", "en-GB,en;q=0.9")
	stand.enrol(regexp.MustCompile(`http://\S+/invite/\S+`).FindString(string(out)), "standing in gladly")
	if n := run(stand, chromedp.Evaluate[int](`fetch('/inbox/`+threadID+`').then(r => r.status)`, chromedp.EvalAwaitPromise)); n != 404 {
		t.Fatalf("before the absence the colleague gets %d for the conversation, want 404", n)
	}
	counsellor.visit("/inbox/absence", "absence")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	today := time.Now().In(berlin)
	standInID := run(counsellor, chromedp.Evaluate[string](`[...document.querySelectorAll('#stand_in option')].find(o => o.textContent.includes('Sam Stand')).value`))
	counsellor.do(chromedp.SetValue(chromedp.CSS("#from"), today.Format("2006-01-02")),
		chromedp.SetValue(chromedp.CSS("#to"), today.AddDate(0, 0, 2).Format("2006-01-02")),
		chromedp.SetValue(chromedp.CSS("#stand_in"), standInID),
		chromedp.Submit(chromedp.CSS("#stand_in")))
	counsellor.waitPath(`/inbox/absence\?done=saved`)
	counsellor.check("absence-recorded")

	// The help-seeker reads that the answer is late and who will answer.
	writer.visit("/threads/"+threadID, "thread-late-away")
	page := writer.bodyText()
	if !strings.Contains(page, "Our answer is taking longer than we promised.") || !strings.Contains(page, "a colleague will answer") {
		t.Fatalf("the help-seeker is not told that the answer is late and that a colleague answers:\n%s", page)
	}

	// The stand-in answers.
	stand.visit("/inbox/"+threadID, "stand-in-thread")
	if !strings.Contains(stand.bodyText(), "You answer as the stand-in of Eva Berger") {
		t.Fatal("the stand-in's page does not say whom they stand in for")
	}
	stand.do(chromedp.SendKeys(chromedp.CSS("textarea#body"), "Your counsellor is away for a few days; I am here for you meanwhile."),
		chromedp.Click(chromedp.CSS(`button[value="send"]`)))
	stand.waitText("I am here for you meanwhile.")
	writer.visit("/threads/"+threadID, "thread-stand-in-answered")
	if page := writer.bodyText(); !strings.Contains(page, "I am here for you meanwhile.") || strings.Contains(page, "taking longer") {
		t.Fatal("the help-seeker does not read the stand-in's answer, or is still told it is late")
	}

	// The counsellor is back early and ends the absence: the conversation is
	// theirs alone again.
	counsellor.do(chromedp.Navigate(s.base+"/inbox/absence"), chromedp.WaitReady(chromedp.CSS("body")),
		chromedp.Click(chromedp.CSS(`form[action$="/end"] button`)))
	counsellor.waitPath(`/inbox/absence\?done=ended`)
	if n := run(stand, chromedp.Evaluate[int](`fetch('/inbox/`+threadID+`').then(r => r.status)`, chromedp.EvalAwaitPromise)); n != 404 {
		t.Fatalf("after the absence the stand-in gets %d for the conversation, want 404", n)
	}
}
