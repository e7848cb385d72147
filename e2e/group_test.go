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

// groupState is what a group call's page reports: each of its connections'
// state and the types of its selected candidate pair's two ends, and every
// description and candidate the page was given.
type groupState struct {
	PCs []struct {
		State  string `json:"state"`
		Local  string `json:"local"`
		Remote string `json:"remote"`
	} `json:"pcs"`
	Received []struct {
		Kind  string `json:"kind"`
		Value string `json:"value"`
	} `json:"received"`
}

const groupStateJS = `(async () => {
	const h = window.__confidantCallTest;
	const out = {pcs: [], received: h.received};
	for (const pc of h.pcs) {
		if (pc.connectionState === 'closed') continue;
		const st = {state: pc.connectionState, local: '', remote: ''};
		const stats = await pc.getStats();
		stats.forEach(r => {
			if (r.type === 'transport' && r.selectedCandidatePairId) {
				const pair = stats.get(r.selectedCandidatePairId);
				st.local = stats.get(pair.localCandidateId).candidateType;
				st.remote = stats.get(pair.remoteCandidateId).candidateType;
			}
		});
		out.pcs.push(st);
	}
	return out;
})()`

// groupCall: three help-seekers, each with a conversation the counsellor
// holds, are invited from those conversations; the counsellor and the three
// join, and every page connects to the three others through the office's
// relay only; a fourth invited help-seeker is refused.
func groupCall(t *testing.T, s *suite, parent context.Context, counsellor *browser) {
	t.Helper()
	var members []*browser
	var call string
	for i := 1; i <= 4; i++ {
		b := s.newBrowser(parent, fmt.Sprintf("member%d", i), "en-GB,en;q=0.9")
		b.do(chromedp.Navigate(s.base+"/register"), chromedp.WaitReady(chromedp.CSS("#nickname")),
			chromedp.SendKeys(chromedp.CSS("#nickname"), fmt.Sprintf("Group Member %d", i)),
			chromedp.SendKeys(chromedp.CSS("#password"), "we talk together"),
			chromedp.SetValue(chromedp.CSS("#age_band"), "20-29"),
			chromedp.Click(chromedp.CSS("#accept_terms")),
			chromedp.Submit(chromedp.CSS("#nickname")))
		b.waitPath("/threads")
		b.do(chromedp.Navigate(s.base+"/threads/new"), chromedp.WaitReady(chromedp.CSS("#body")),
			chromedp.SetValue(chromedp.CSS("#theme"), "loneliness"),
			chromedp.SendKeys(chromedp.CSS("#subject"), "Together"),
			chromedp.SendKeys(chromedp.CSS("#body"), "Could we talk in a group?"),
			chromedp.Submit(chromedp.CSS("#body")))
		b.waitPath("/threads/[a-z2-7]{26}")
		id := strings.TrimPrefix(b.location(), s.base+"/threads/")
		counsellor.do(chromedp.Navigate(s.base+"/inbox"), chromedp.WaitReady(chromedp.CSS("body")),
			chromedp.Click(chromedp.CSS(`form[action="/inbox/`+id+`/take"] button`)))
		counsellor.waitPath("/inbox/" + id)
		if i == 1 {
			counsellor.check("staff-thread-group-invite")
		}
		counsellor.do(chromedp.Click(chromedp.CSS(`form[action="/inbox/` + id + `/group-call"] button`)))
		counsellor.waitPath("/calls/[a-z2-7]{26}")
		call = strings.TrimPrefix(counsellor.location(), s.base)
		members = append(members, b)
	}
	counsellor.check("group-call-counsellor")
	for _, b := range append([]*browser{counsellor}, members...) {
		run(b, chromedp.Evaluate[bool](`window.__confidantCallTest = {received: [], pcs: []}; true`))
	}
	counsellor.do(chromedp.Click(chromedp.CSS("#group-join")))
	counsellor.waitText("Verbonden met het groepsgesprek.")
	for i, b := range members[:3] {
		b.visit("/threads", "threads-group-invited")
		b.waitText("Your counsellor invites you to a group call.")
		b.do(chromedp.Click(chromedp.CSS(`a[href="` + call + `"]`)))
		b.waitPath(call)
		if i == 0 {
			b.check("group-call-invited")
		}
		run(b, chromedp.Evaluate[bool](`window.__confidantCallTest = {received: [], pcs: []}; true`))
		// Two join with camera, one with voice only.
		button := "#group-join"
		if i == 2 {
			button = "#group-join-voice"
		}
		b.do(chromedp.Click(chromedp.CSS(button)))
		b.waitText("You are in the group call.")
	}

	everyone := append([]*browser{counsellor}, members[:3]...)
	states := map[string]groupState{}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		done := true
		for _, b := range everyone {
			st := run(b, chromedp.Evaluate[groupState](groupStateJS, chromedp.EvalAwaitPromise))
			states[b.name] = st
			connected := 0
			for _, pc := range st.PCs {
				if pc.State == "connected" && pc.Local != "" {
					connected++
				}
			}
			if connected < 3 {
				done = false
			}
		}
		if done {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	for name, st := range states {
		if len(st.PCs) != 3 {
			t.Fatalf("%s's page has %d connections, want one to each of the 3 others: %+v", name, len(st.PCs), st.PCs)
		}
		for _, pc := range st.PCs {
			if pc.State != "connected" || pc.Local != "relay" || pc.Remote != "relay" {
				t.Fatalf("%s's group call: connection %s, selected pair %q to %q; want connected, relay to relay", name, pc.State, pc.Local, pc.Remote)
			}
		}
		candidates := 0
		for _, r := range st.Received {
			lines := []string{r.Value}
			if r.Kind == "sdp" {
				lines = nil
				for _, l := range strings.Split(r.Value, "\n") {
					if strings.HasPrefix(l, "a=candidate:") {
						lines = append(lines, l)
					}
				}
			}
			for _, l := range lines {
				if l == "" {
					continue
				}
				candidates++
				if f := strings.Fields(l); len(f) < 8 || f[6] != "typ" || f[7] != "relay" {
					t.Errorf("%s's page was given a candidate that is not the relay's: %s", name, l)
				}
			}
		}
		if candidates == 0 {
			t.Errorf("%s's page was given no candidate", name)
		}
	}
	counsellor.check("group-call-connected-counsellor")
	members[0].check("group-call-connected")

	// The fourth help-seeker invited is the fifth person: refused, clearly.
	fifth := members[3]
	fifth.visit(call, "group-call-fifth")
	fifth.do(chromedp.Click(chromedp.CSS("#group-join-voice")))
	fifth.waitText("This group call is full")
	fifth.check("group-call-full")

	// The counsellor removes a participant, who is told.
	counsellor.do(chromedp.Click(chromedp.CSS("#group-peers li:last-child button")))
	members[2].waitText("The counsellor has taken you out of the group call.")
	counsellor.do(chromedp.Click(chromedp.CSS(`form[action="` + call + `/end"] button`)))
	members[0].waitText("The group call has ended.")
}

// readAlong: a supervisor of the office opens the running chat from the live
// queue and reads along without any control to write; the counsellor's and
// the help-seeker's pages say so while the supervisor's page is open (never
// who), and stop saying it after.
func readAlong(t *testing.T, s *suite, parent context.Context, counsellor, seeker *browser) {
	t.Helper()
	out, err := exec.Command(s.binary, "staff", "add", "--role", "supervisor", "--name", "Sam Lind", "--data", s.data,
		"--base-url", s.base).Output()
	if err != nil {
		t.Fatal(err)
	}
	sup := s.newBrowser(parent, "supervisor", "en-GB,en;q=0.9")
	sup.enrol(regexp.MustCompile(`http://\S+/invite/\S+`).FindString(string(out)), "supervising with care")
	sup.visit("/live/queue", "live-queue-supervisor")
	sup.do(chromedp.Click(chromedp.CSS(`#main a[href^="/live/"]`)))
	sup.waitPath("/live/[a-z2-7]{26}")
	sup.waitText("You are reading this chat along.")
	sup.waitText("What is keeping you awake?")
	if n := run(sup, chromedp.Evaluate[int](`document.querySelectorAll('#message, #chat-form button, .chat-end button, #call-start').length`)); n != 0 {
		t.Fatalf("the supervisor's page has %d controls to write, end or call", n)
	}
	sup.check("chat-read-along")
	counsellor.waitText("Een supervisor leest mee.")
	counsellor.check("chat-counsellor-read-along")
	seeker.waitText("A supervisor from our team is reading along to support your counsellor")
	if strings.Contains(seeker.bodyText(), "Sam Lind") {
		t.Fatal("the help-seeker's page names the supervisor")
	}
	seeker.check("chat-read-along-seeker")
	sup.do(chromedp.Navigate(s.base + "/inbox"))
	deadline := time.Now().Add(10 * time.Second)
	for strings.Contains(counsellor.bodyText(), "Een supervisor leest mee.") || strings.Contains(seeker.bodyText(), "is reading along") {
		if time.Now().After(deadline) {
			t.Fatal("a page still says a supervisor reads along after they left")
		}
		time.Sleep(200 * time.Millisecond)
	}
}
