//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// groupChat: a supervisor schedules a group chat moderated by the
// counsellor, starting two minutes ahead (participants come in from five
// minutes before the start, which the page says); three help-seekers accept
// the rules and join, and write; every page names them only by number, and
// each page shows the others' messages as they come; the moderator removes
// one, whose page then says so and shows nothing more, and ends the group.
func groupChat(t *testing.T, s *suite, parent context.Context, counsellor *browser) {
	t.Helper()
	out, err := exec.Command(s.binary, "staff", "add", "--role", "supervisor", "--name", "Noor Vos", "--data", s.data,
		"--base-url", s.base).Output()
	if err != nil {
		t.Fatal(err)
	}
	sup := s.newBrowser(parent, "group-scheduler", "en-GB,en;q=0.9")
	sup.enrol(regexp.MustCompile(`http://\S+/invite/\S+`).FindString(string(out)), "scheduling groups with care")
	sup.visit("/live/groups", "group-chats-schedule")
	start := time.Now().Add(2 * time.Minute)
	sup.do(chromedp.SendKeys(chromedp.CSS("#theme"), "Evenings alone"),
		chromedp.SendKeys(chromedp.CSS("#rules"), "Be kind to each other.\n\nWhat is said here stays here."),
		chromedp.SetValue(chromedp.CSS("#starts_at"), officeClock(t, start)),
		chromedp.SetValue(chromedp.CSS("#ends_at"), officeClock(t, start.Add(time.Hour))),
		chromedp.SetValue(chromedp.CSS("#max_size"), "3"))
	run(sup, chromedp.Evaluate[bool](`(() => {
		const s = document.getElementById('moderator');
		s.value = [...s.options].find(o => o.text.startsWith('Eva Berger')).value;
		return true;
	})()`))
	sup.do(chromedp.Click(chromedp.CSS(`form[action="/live/groups"] button[type="submit"]`)))
	sup.waitPath("/live/groups")
	sup.waitText("Evenings alone")
	sup.check("group-chats-scheduled")

	var members []*browser
	var group string
	for i := 1; i <= 3; i++ {
		b := s.newBrowser(parent, fmt.Sprintf("chatter%d", i), "en-GB,en;q=0.9")
		b.do(chromedp.Navigate(s.base+"/register"), chromedp.WaitReady(chromedp.CSS("#nickname")),
			chromedp.SendKeys(chromedp.CSS("#nickname"), fmt.Sprintf("Group Chatter %d", i)),
			chromedp.SendKeys(chromedp.CSS("#password"), "we write together"),
			chromedp.Click(chromedp.CSS("#accept_terms")),
			chromedp.Submit(chromedp.CSS("#nickname")))
		b.waitPath("/threads")
		b.do(chromedp.Navigate(s.base+"/live"), chromedp.WaitReady(chromedp.CSS("#group-chats")))
		if i == 1 {
			b.check("live-group-chats")
		}
		b.do(chromedp.Click(chromedp.CSS(`#group-chats a[href^="/live/groups/"]`)))
		b.waitPath("/live/groups/[a-z2-7]{26}")
		group = strings.TrimPrefix(b.location(), s.base)
		b.waitText("What is said here stays here.")
		if i == 1 {
			b.check("group-chat-entry")
		}
		b.do(chromedp.Click(chromedp.CSS("#accept_rules")), chromedp.Click(chromedp.CSS(`form[action$="/join"] button`)))
		b.waitPath(group)
		b.waitText(fmt.Sprintf("You take part as participant %d.", i))
		members = append(members, b)
	}
	for i, b := range members {
		b.do(chromedp.SendKeys(chromedp.CSS("#body"), fmt.Sprintf("Evenings are long for me too, says number %d.", i+1)),
			chromedp.Click(chromedp.CSS("#group-form button")))
		b.waitText(fmt.Sprintf("says number %d.", i+1))
	}
	// The first page, open all along, shows the others' messages as they
	// come, by number.
	members[0].waitText("says number 3.")
	members[0].check("group-chat-participant")

	counsellor.visit(group, "group-chat-moderator")
	counsellor.waitText("says number 2.")
	for _, b := range append([]*browser{counsellor}, members...) {
		page := b.bodyText()
		for i := 1; i <= 3; i++ {
			if strings.Contains(page, fmt.Sprintf("Group Chatter %d", i)) {
				t.Fatalf("%s's group page shows the nickname of participant %d", b.name, i)
			}
		}
	}
	counsellor.do(chromedp.Click(chromedp.CSS(`form[action$="/members/3/remove"] button`)))
	counsellor.waitPath(group)
	members[2].waitText("The moderator has taken you out of this group chat.")
	if strings.Contains(members[2].bodyText(), "says number 1.") {
		t.Fatal("the removed participant still reads the group")
	}
	members[2].check("group-chat-removed")
	counsellor.do(chromedp.Click(chromedp.CSS(`form[action$="/end"] button`)))
	counsellor.waitPath("/live/groups")
	members[0].visit(group, "group-chat-ended")
	members[0].waitText("Ended")
	// These tabs are done: they leave, so that they cost the later steps
	// nothing.
	for _, b := range append([]*browser{sup}, members...) {
		b.do(chromedp.Navigate("about:blank"))
	}
}
