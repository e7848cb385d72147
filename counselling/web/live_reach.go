package web

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"confidant/counselling/live"
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

// reachState is who can be rung and which rings are under way, kept in the
// shared state so that a counsellor on one node rings a help-seeker whose
// page is open on another, who answers on a third.
type reachState struct {
	shared live.Shared
}

func onlineKey(accountID string) string { return "online/" + accountID }
func ringKey(id string) string          { return "ring/" + id }

// ring is one ring from a counsellor to a help-seeker. It is kept as JSON
// (the shared state seals it when it keeps it on a disk: it names both).
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

type ringJSON struct {
	ID           string    `json:"id"`
	OfficeID     int64     `json:"o"`
	SeekerID     string    `json:"s"`
	Seeker       string    `json:"sn"`
	CounsellorID string    `json:"c"`
	Counsellor   string    `json:"cn"`
	Kind         string    `json:"k"`
	CallbackID   string    `json:"cb,omitempty"`
	State        string    `json:"st"`
	ChatID       string    `json:"ch,omitempty"`
	At           time.Time `json:"at"`
}

func (r *ring) encode() []byte {
	b, _ := json.Marshal(ringJSON{r.id, r.officeID, r.seekerID, r.seeker, r.counsellorID, r.counsellor, r.kind, r.callbackID, r.state, r.chatID, r.at})
	return b
}

func decodeRing(b []byte) *ring {
	var j ringJSON
	if b == nil || json.Unmarshal(b, &j) != nil {
		return nil
	}
	return &ring{j.ID, j.OfficeID, j.SeekerID, j.Seeker, j.CounsellorID, j.Counsellor, j.Kind, j.CallbackID, j.State, j.ChatID, j.At}
}

func (r *ring) stateAt(now time.Time) string {
	if r.state == "ringing" && now.Sub(r.at) >= ringTimeout {
		return "missed"
	}
	return r.state
}

func (rs *reachState) isOnline(accountID string) bool {
	ctx, cancel := sharedCtx()
	defer cancel()
	n, err := rs.shared.Count(ctx, onlineKey(accountID))
	return err == nil && n > 0
}

func (rs *reachState) connect(accountID string, on bool) {
	ctx, cancel := sharedCtx()
	defer cancel()
	if on {
		rs.shared.Join(ctx, onlineKey(accountID))
		return
	}
	rs.shared.Leave(ctx, onlineKey(accountID))
}

func (rs *reachState) all(ctx context.Context) []*ring {
	m, err := rs.shared.Scan(ctx, ringKey(""))
	if err != nil {
		return nil
	}
	out := make([]*ring, 0, len(m))
	for _, b := range m {
		if r := decodeRing(b); r != nil {
			out = append(out, r)
		}
	}
	return out
}

// start records a new ring, ending any earlier ring between the same two.
func (rs *reachState) start(r *ring) error {
	ctx, cancel := sharedCtx()
	defer cancel()
	for _, old := range rs.all(ctx) {
		if old.seekerID == r.seekerID && old.counsellorID == r.counsellorID {
			if err := rs.shared.Delete(ctx, ringKey(old.id)); err != nil {
				return err
			}
		}
	}
	return rs.shared.Put(ctx, ringKey(r.id), r.encode(), ringKeep)
}

// ringing returns the ring waiting for the help-seeker's answer, if any.
func (rs *reachState) ringing(seekerID string, now time.Time) *ring {
	ctx, cancel := sharedCtx()
	defer cancel()
	for _, r := range rs.all(ctx) {
		if r.seekerID == seekerID && r.stateAt(now) == "ringing" {
			return r
		}
	}
	return nil
}

// answer ends a ring of the help-seeker's that still rings, once, on
// whichever node it is answered: it returns the ring, or nil when there is
// none to answer.
func (rs *reachState) answer(id, seekerID string, now time.Time, state string) *ring {
	ctx, cancel := sharedCtx()
	defer cancel()
	b, err := rs.shared.Get(ctx, ringKey(id))
	if r := decodeRing(b); err != nil || r == nil || r.seekerID != seekerID || r.stateAt(now) != "ringing" {
		return nil
	}
	// Taken and put back: of two answers at once, only one finds it.
	r := decodeRing(mustTake(rs.shared.Take(ctx, ringKey(id))))
	if r == nil || r.stateAt(now) != "ringing" {
		return nil
	}
	r.state = state
	rs.keep(ctx, r, now)
	return r
}

func mustTake(b []byte, err error) []byte {
	if err != nil {
		return nil
	}
	return b
}

// keep puts a ring back for what remains of the time its end is shown.
func (rs *reachState) keep(ctx context.Context, r *ring, now time.Time) {
	if left := ringKeep - now.Sub(r.at); left > 0 {
		rs.shared.Put(ctx, ringKey(r.id), r.encode(), left)
	}
}

func (rs *reachState) answered(r *ring, chatID string, now time.Time) {
	ctx, cancel := sharedCtx()
	defer cancel()
	r.chatID = chatID
	rs.keep(ctx, r, now)
}

// undo puts a ring back to ringing when opening its chat failed.
func (rs *reachState) undo(r *ring, now time.Time) {
	ctx, cancel := sharedCtx()
	defer cancel()
	r.state = "ringing"
	rs.keep(ctx, r, now)
}

// of lists the counsellor's recent rings, newest first.
func (rs *reachState) of(counsellorID string, now time.Time) []templates.RingView {
	ctx, cancel := sharedCtx()
	defer cancel()
	var list []*ring
	for _, r := range rs.all(ctx) {
		if r.counsellorID == counsellorID && now.Sub(r.at) <= ringKeep {
			list = append(list, r)
		}
	}
	slices.SortFunc(list, func(a, b *ring) int { return b.at.Compare(a.at) })
	out := make([]templates.RingView, 0, len(list))
	for _, r := range list {
		out = append(out, templates.RingView{Seeker: r.seeker, Kind: r.kind, State: r.stateAt(now), ChatID: r.chatID})
	}
	return out
}
