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

// endedTranscript: once the guest's chat has ended, its counsellor's chat
// page says that the transcript is kept for supervisors only and shows none
// of it; a supervisor finds the chat among the office's ended chats on the
// supervision page and reads it.
func endedTranscript(t *testing.T, s *suite, parent context.Context, counsellor *browser) {
	t.Helper()
	chat := counsellor.location()
	counsellor.do(chromedp.Reload())
	counsellor.waitText("De transcriptie wordt nu alleen nog voor supervisors bewaard.")
	if strings.Contains(counsellor.bodyText(), "Everyone is asleep") {
		t.Fatal("the counsellor's page shows the ended chat's messages after a reload")
	}
	counsellor.check("chat-ended-counsellor")
	out, err := exec.Command(s.binary, "staff", "add", "--role", "supervisor", "--name", "Tove Holm", "--data", s.data,
		"--base-url", s.base).Output()
	if err != nil {
		t.Fatal(err)
	}
	sup := s.newBrowser(parent, "transcripts", "en-GB,en;q=0.9")
	sup.enrol(regexp.MustCompile(`http://\S+/invite/\S+`).FindString(string(out)), "keeping transcripts safe")
	sup.visit("/supervision", "supervision-ended-chats")
	sup.waitText("Ended chats")
	sup.do(chromedp.Click(chromedp.CSS(`.ended-chats a[href="/inbox/` + chat[strings.LastIndex(chat, "/")+1:] + `"]`)))
	sup.waitPath("/inbox/[a-z2-7]{26}")
	sup.waitText("Everyone is asleep and I feel alone.")
	sup.waitText("your reading is recorded in the audit log")
	sup.check("ended-chat-supervisor")
}
