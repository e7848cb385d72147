package web

import (
	"sync"
	"time"

	"confidant/templates"
)

// Frame types of reaching out.
const (
	typeRing       = "ring"        // to the help-seeker: ID (the ring), Author (the counsellor), Status (kind), Body ("callback" or "invite")
	typeRingEnd    = "ring-end"    // to the help-seeker's other pages: ID, the ring is over
	typeRingAnswer = "ring-answer" // to the counsellor: ID (the chat), Status (kind)
	typeRingChange = "ring-change" // to the counsellor: their call-back queue or rings changed
)

// ringTimeout is how long a ring waits for the help-seeker's answer; after
// it the counsellor is told that nobody answered.
const ringTimeout = 2 * time.Minute

// ringKeep is how long the counsellor's queue shows how a ring ended.
const ringKeep = 10 * time.Minute

func ringTopic(accountID string) string  { return "ring:" + accountID }
func reachTopic(accountID string) string { return "reach:" + accountID }

type reachState struct {
	mu     sync.Mutex
	online map[string]int // ring sockets open per help-seeker
	rings  map[string]*ring
}

// ring is one ring from a counsellor to a help-seeker.
type ring struct {
	id           string
	officeID     int64
	seekerID     string
	seeker       string // nickname, for the counsellor
	counsellorID string
	counsellor   string // display name, for the help-seeker
	kind         string
	callbackID   string // empty for an invitation
	state        string
	chatID       string
	at           time.Time
}

func (r *ring) stateAt(now time.Time) string {
	if r.state == "ringing" && now.Sub(r.at) >= ringTimeout {
		return "missed"
	}
	return r.state
}

func (rs *reachState) isOnline(accountID string) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.online[accountID] > 0
}

func (rs *reachState) connect(accountID string, on bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.online == nil {
		rs.online = map[string]int{}
	}
	if on {
		rs.online[accountID]++
		return
	}
	if rs.online[accountID]--; rs.online[accountID] <= 0 {
		delete(rs.online, accountID)
	}
}

// start records a new ring, ending any earlier ring between the same two.
func (rs *reachState) start(r *ring) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.rings == nil {
		rs.rings = map[string]*ring{}
	}
	for id, old := range rs.rings {
		if old.seekerID == r.seekerID && old.counsellorID == r.counsellorID || r.at.Sub(old.at) > ringKeep {
			delete(rs.rings, id)
		}
	}
	rs.rings[r.id] = r
}

// ringing returns the ring waiting for the help-seeker's answer, if any.
func (rs *reachState) ringing(seekerID string, now time.Time) *ring {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, r := range rs.rings {
		if r.seekerID == seekerID && r.stateAt(now) == "ringing" {
			c := *r
			return &c
		}
	}
	return nil
}

// answer ends a ring of the help-seeker's that still rings, once: it
// returns a copy of the ring, or nil when there is none to answer.
func (rs *reachState) answer(id, seekerID string, now time.Time, state string) *ring {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	r := rs.rings[id]
	if r == nil || r.seekerID != seekerID || r.stateAt(now) != "ringing" {
		return nil
	}
	r.state = state
	c := *r
	return &c
}

func (rs *reachState) answered(id, chatID string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if r := rs.rings[id]; r != nil {
		r.chatID = chatID
	}
}

// undo puts a ring back to ringing when opening its chat failed.
func (rs *reachState) undo(id string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if r := rs.rings[id]; r != nil {
		r.state = "ringing"
	}
}

// of lists the counsellor's recent rings, newest first.
func (rs *reachState) of(counsellorID string, now time.Time) []templates.RingView {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	var list []*ring
	for _, r := range rs.rings {
		if r.counsellorID == counsellorID && now.Sub(r.at) <= ringKeep {
			list = append(list, r)
		}
	}
	out := make([]templates.RingView, 0, len(list))
	for len(list) > 0 {
		newest := 0
		for i, r := range list {
			if r.at.After(list[newest].at) {
				newest = i
			}
		}
		r := list[newest]
		out = append(out, templates.RingView{Seeker: r.seeker, Kind: r.kind, State: r.stateAt(now), ChatID: r.chatID})
		list = append(list[:newest], list[newest+1:]...)
	}
	return out
}
