//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// callState is what a page of a call reports about it: its connection's
// state, the types of the selected candidate pair's two ends, and every
// session description and candidate the page was given.
type callState struct {
	State    string `json:"state"`
	Local    string `json:"local"`
	Remote   string `json:"remote"`
	Received []struct {
		Kind  string `json:"kind"`
		Value string `json:"value"`
	} `json:"received"`
}

const callStateJS = `(async () => {
	const h = window.__confidantCallTest;
	const pc = h.pcs[h.pcs.length - 1];
	const out = {state: pc ? pc.connectionState : 'none', local: '', remote: '', received: h.received};
	if (!pc) return out;
	const stats = await pc.getStats();
	stats.forEach(r => {
		if (r.type === 'transport' && r.selectedCandidatePairId) {
			const pair = stats.get(r.selectedCandidatePairId);
			out.local = stats.get(pair.localCandidateId).candidateType;
			out.remote = stats.get(pair.remoteCandidateId).candidateType;
		}
	});
	return out;
})()`

// videoCall: the counsellor starts a video call, the help-seeker reads what
// will happen and joins; both connect through the office's relay, and
// neither page is ever given a candidate other than the relay's.
func videoCall(t *testing.T, counsellor, seeker *browser) {
	t.Helper()
	for _, b := range []*browser{counsellor, seeker} {
		run(b, chromedp.Evaluate[bool](`window.__confidantCallTest = {received: [], pcs: []}; true`))
	}
	counsellor.do(chromedp.Click(chromedp.CSS("#call-start")))
	seeker.waitText("Your camera and microphone stay off until you join.")
	seeker.check("call-offered")
	seeker.do(chromedp.Click(chromedp.CSS("#call-join")))
	states := map[string]callState{}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, b := range []*browser{counsellor, seeker} {
			states[b.name] = run(b, chromedp.Evaluate[callState](callStateJS, chromedp.EvalAwaitPromise))
		}
		// A selected pair appears before DTLS is done: wait for both
		// connections to be connected, not only for a pair.
		c, h := states[counsellor.name], states[seeker.name]
		if c.State == "connected" && c.Local != "" && h.State == "connected" && h.Local != "" {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	for name, st := range states {
		if st.State != "connected" || st.Local != "relay" || st.Remote != "relay" {
			t.Fatalf("%s's call: connection %s, selected pair %q to %q; want connected, relay to relay", name, st.State, st.Local, st.Remote)
		}
		sdps, candidates := 0, 0
		for _, r := range st.Received {
			lines := []string{r.Value}
			if r.Kind == "sdp" {
				sdps++
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
		if sdps != 1 || candidates == 0 {
			t.Errorf("%s's page was given %d descriptions and %d candidates; want one description and some candidates", name, sdps, candidates)
		}
	}
	seeker.waitText("The call is connected.")
	seeker.check("call-connected")
	counsellor.check("call-connected-counsellor")
	seeker.do(chromedp.Click(chromedp.CSS("#call-hangup")))
	counsellor.waitText("Het gesprek is beëindigd.")
	seeker.waitText("The call has ended.")
}
