//go:build e2e

package e2e

import (
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// post sends a form from the browser's page with fetch and returns the
// address it ended at, after redirects.
func (b *browser) post(path string, form map[string]string) string {
	b.s.t.Helper()
	var pairs []string
	for k, v := range form {
		pairs = append(pairs, "["+jsString(k)+","+jsString(v)+"]")
	}
	return run(b, chromedp.Evaluate[string](`fetch(`+jsString(path)+`, {method: 'POST', body: new URLSearchParams([`+
		strings.Join(pairs, ",")+`])}).then(r => r.url)`, chromedp.EvalAwaitPromise))
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

var lastID = regexp.MustCompile(`/([a-z2-7]{26})$`)

// quality: the admin lowers the sampling window to five rated
// conversations; a help-seeker rates a chat after it ended through its
// page, and four mail conversations with the same counsellor; two of the
// five are poor, above the 30 % threshold, so one conversation is sampled and
// reaches a supervisor's queue-health page, from which the supervisor reads it.
func quality(t *testing.T, s *suite, parent context.Context, counsellor, admin *browser) {
	t.Helper()
	admin.visit("/admin/quality", "admin-quality")
	admin.do(chromedp.SetValue(chromedp.CSS("#window"), "5"), chromedp.SetValue(chromedp.CSS("#sample"), "1"),
		chromedp.Submit(chromedp.CSS("#window")))
	admin.waitPath(`/admin/quality\?done=sampling`)

	out, err := exec.Command(s.binary, "staff", "add", "--role", "supervisor", "--name", "Sam Supervisor", "--data", s.data,
		"--base-url", s.base).Output()
	if err != nil {
		t.Fatal(err)
	}
	supervisor := s.newBrowser(parent, "supervisor", "en-GB,en;q=0.9")
	supervisor.enrol(regexp.MustCompile(`http://\S+/invite/\S+`).FindString(string(out)), "supervising with care")

	rater := s.newBrowser(parent, "rater", "en-GB,en;q=0.9")
	rater.do(chromedp.Navigate(s.base+"/register"), chromedp.WaitReady(chromedp.CSS("#nickname")),
		chromedp.SendKeys(chromedp.CSS("#nickname"), "Rating Robin"),
		chromedp.SendKeys(chromedp.CSS("#password"), "a long walk by the sea"),
		chromedp.Click(chromedp.CSS("#accept_terms")),
		chromedp.Submit(chromedp.CSS("#nickname")))
	rater.waitPath("/threads")

	// A chat, accepted and ended by the counsellor, rated on its page.
	chat := lastID.FindStringSubmatch(rater.post("/live", map[string]string{"theme": "family"}))
	if chat == nil {
		t.Fatalf("the chat did not start; at %s", rater.location())
	}
	counsellor.do(chromedp.Navigate(s.base+"/live/queue"), chromedp.WaitReady(chromedp.CSS("body")))
	counsellor.post("/live/"+chat[1]+"/accept", nil)
	counsellor.post("/live/"+chat[1]+"/end", nil)
	rater.visit("/live/"+chat[1], "chat-rating")
	rater.do(chromedp.Click(chromedp.CSS("#score-1")),
		chromedp.SendKeys(chromedp.CSS("#rating-comment"), "I did not feel heard."),
		chromedp.Submit(chromedp.CSS("#rating-comment")))
	rater.waitText("You rated this conversation 1 of 5")
	rater.check("chat-rated")

	// Four mail conversations with the same counsellor, rated 2, 5, 5, 5.
	for _, score := range []string{"2", "5", "5", "5"} {
		thread := lastID.FindStringSubmatch(rater.post("/threads/new", map[string]string{"theme": "family", "body": "one more question"}))
		if thread == nil {
			t.Fatal("the enquiry was not written")
		}
		counsellor.post("/inbox/"+thread[1]+"/take", nil)
		counsellor.post("/inbox/"+thread[1]+"/close", nil)
		if got := rater.post("/threads/"+thread[1]+"/rating", map[string]string{"score": score}); !strings.HasSuffix(got, "/threads/"+thread[1]) {
			t.Fatalf("rating %s ended at %s", score, got)
		}
	}

	supervisor.visit("/supervision", "supervision")
	if page := supervisor.bodyText(); !strings.Contains(page, "Queue health") || !strings.Contains(page, "sampled: ratings") {
		t.Fatalf("the supervision page shows no sampled conversation:\n%s", page)
	}
	supervisor.do(chromedp.Click(chromedp.CSS(`.supervision-queue a`)))
	supervisor.waitPath("/inbox/[a-z2-7]{26}")
	supervisor.waitText("Rating by the help-seeker")
	supervisor.check("supervision-thread")
	supervisor.do(chromedp.SendKeys(chromedp.CSS("#supervision-note"), "Let us talk about this one on Friday."),
		chromedp.Submit(chromedp.CSS("#supervision-note")))
	supervisor.waitPath(`/supervision\?done=closed`)
	supervisor.waitText("No conversation is waiting for supervision.")
	supervisor.check("supervision-closed")
}
