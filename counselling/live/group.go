package live

import (
	"encoding/json"

	"confidant/counselling"
)

// A group call: one counsellor and up to three help-seekers, each of whom the
// counsellor is already in contact with (holds a conversation of theirs) and
// invited from that conversation. Every pair of participants has its own
// connection through the office's relay (a mesh), with the same relay-only
// signalling as a call in a chat. Who is invited and who is in the call is
// kept in the live state the nodes share (GroupState), never what anyone
// says or shows.
const (
	// GroupCapacity is how many people a group call holds at once: the
	// counsellor and three help-seekers. A mesh of four is six connections
	// through the relay; more would strain the help-seekers' phones.
	GroupCapacity = 4
	// GroupMaxInvites bounds the open invitations of one group call: more
	// people may be invited than there are seats (whoever joins first takes
	// one), but not without end.
	GroupMaxInvites = 8
)

// Errors of group calls, in words a participant reads.
var (
	ErrGroupFull = counselling.Errorf(counselling.EConflict,
		"This group call is full: it has room for one counsellor and three participants. Please try again later or write to your counsellor.")
	ErrGroupNotInvited = counselling.Errorf(counselling.ENotFound, "This group call does not exist or you are not invited to it.")
	ErrGroupInviteRule = counselling.Errorf(counselling.EForbidden,
		"You can invite to your group call only help-seekers of conversations you hold.")
	ErrGroupTooManyInvites = counselling.Errorf(counselling.EConflict, "No more people can be invited to this group call.")
	ErrGroupRemoveRule     = counselling.Errorf(counselling.EForbidden, "Only the counsellor of a group call can remove a participant.")
	ErrGroupAlreadyIn      = counselling.Errorf(counselling.EConflict, "You are already in this group call in another window.")
	ErrGroupNoCounsellor   = counselling.Errorf(counselling.EConflict,
		"Your counsellor is not in the group call yet. Please try again in a moment.")
)

// GroupState is a group call's invitations and participants as they are
// kept where every node of an office sees them.
type GroupState struct {
	ID           string            `json:"id"`
	OfficeID     int64             `json:"o"`
	CounsellorID string            `json:"c"`
	Invited      map[string]string `json:"i,omitempty"`
	Members      []string          `json:"m,omitempty"`
}

// State is the group call as it is kept.
func (g *Group) State() GroupState {
	invited := make(map[string]string, len(g.invited))
	for k, v := range g.invited {
		invited[k] = v
	}
	return GroupState{ID: g.ID, OfficeID: g.OfficeID, CounsellorID: g.CounsellorID, Invited: invited, Members: g.Members()}
}

// GroupFrom is the group call kept as s.
func GroupFrom(s GroupState) *Group {
	g := &Group{ID: s.ID, OfficeID: s.OfficeID, CounsellorID: s.CounsellorID, invited: map[string]string{}, members: append([]string(nil), s.Members...)}
	for k, v := range s.Invited {
		g.invited[k] = v
	}
	return g
}

// Group is one group call's invitations and participants.
type Group struct {
	ID           string
	OfficeID     int64
	CounsellorID string
	invited      map[string]string // help-seeker account id -> the conversation they were invited from
	members      []string          // account ids in the call now, in the order they joined
}

// NewGroup starts a counsellor's group call; only staff who counsel lead one.
func NewGroup(id string, c counselling.Caller) (*Group, error) {
	if !c.Counsels() || c.AccountID == "" {
		return nil, ErrGroupInviteRule
	}
	return &Group{ID: id, OfficeID: c.OfficeID, CounsellorID: c.AccountID, invited: map[string]string{}}, nil
}

// MayInvite is the rule of whom a counsellor invites to their group call:
// the registered help-seeker of a conversation of the counsellor's office
// that the counsellor holds. A guest has no pages to be invited on.
func MayInvite(c counselling.Caller, g *Group, t *counselling.Thread, seekerIsGuest bool) bool {
	return c.Counsels() && c.AccountID != "" && c.AccountID == g.CounsellorID && t.OfficeID == g.OfficeID &&
		t.CounsellorID == c.AccountID && t.SeekerID != "" && !seekerIsGuest
}

// Invite invites the help-seeker of a conversation (see MayInvite). Inviting
// someone again changes nothing.
func (g *Group) Invite(c counselling.Caller, t *counselling.Thread, seekerIsGuest bool) error {
	if !MayInvite(c, g, t, seekerIsGuest) {
		return ErrGroupInviteRule
	}
	if _, ok := g.invited[t.SeekerID]; ok {
		return nil
	}
	if len(g.invited) >= GroupMaxInvites {
		return ErrGroupTooManyInvites
	}
	g.invited[t.SeekerID] = t.ID
	return nil
}

// Invited reports whether a help-seeker is invited and not removed.
func (g *Group) Invited(accountID string) bool {
	_, ok := g.invited[accountID]
	return ok
}

// MaySee is the rule of who opens a group call's page: its counsellor and
// the help-seekers invited to it.
func (g *Group) MaySee(c counselling.Caller) bool {
	if c.AccountID == "" {
		return false
	}
	if c.Kind == counselling.KindStaff {
		return c.AccountID == g.CounsellorID
	}
	return c.Kind == counselling.KindSeeker && g.Invited(c.AccountID)
}

// Join takes a seat in the call: its counsellor, or an invited help-seeker
// while the counsellor is in it and fewer than GroupCapacity are. Nobody is
// in a call twice. Help-seekers never meet in a call without their
// counsellor: when the counsellor leaves, the call ends for them (Leave).
func (g *Group) Join(c counselling.Caller) error {
	if !g.MaySee(c) {
		return ErrGroupNotInvited
	}
	if g.In(c.AccountID) {
		return ErrGroupAlreadyIn
	}
	if c.AccountID != g.CounsellorID && !g.In(g.CounsellorID) {
		return ErrGroupNoCounsellor
	}
	if len(g.members) >= GroupCapacity {
		return ErrGroupFull
	}
	g.members = append(g.members, c.AccountID)
	return nil
}

// In reports whether someone is in the call now.
func (g *Group) In(accountID string) bool {
	for _, m := range g.members {
		if m == accountID {
			return true
		}
	}
	return false
}

// Members lists who is in the call, in the order they joined.
func (g *Group) Members() []string { return append([]string(nil), g.members...) }

// Leave gives up a seat. When the counsellor leaves, everyone does, and
// Leave reports that the call has ended for them.
func (g *Group) Leave(accountID string) (ended bool) {
	if accountID == g.CounsellorID && g.In(accountID) {
		g.members = nil
		return true
	}
	for i, m := range g.members {
		if m == accountID {
			g.members = append(g.members[:i], g.members[i+1:]...)
			return false
		}
	}
	return false
}

// Remove is the counsellor taking a help-seeker out of the call: their seat
// and their invitation go, so that they cannot join again. Only the
// counsellor removes, and not themselves.
func (g *Group) Remove(c counselling.Caller, accountID string) error {
	if c.Kind != counselling.KindStaff || c.AccountID == "" || c.AccountID != g.CounsellorID || accountID == g.CounsellorID {
		return ErrGroupRemoveRule
	}
	g.Leave(accountID)
	delete(g.invited, accountID)
	return nil
}

// Group call frames, over the group call's own WebSocket. Descriptions and
// candidates are addressed to one peer (Peer) and reach only that peer, with
// Peer then naming the sender; everything else is as in a chat's call.
const (
	// TypeGroup: to each browser, who is in the call (Peers, in the order
	// they joined) and which of them it is (You). A browser offers a
	// connection to every peer who joined before it.
	TypeGroup = "group"
	// TypeGroupRefused: to a browser that may not join (Body says why).
	TypeGroupRefused = "group-refused"
	// TypeGroupRemove: from the counsellor, take Peer out of the call.
	TypeGroupRemove = "group-remove"
	// TypeGroupRemoved: to a browser whose participant was removed.
	TypeGroupRemoved = "group-removed"
)

// GroupPeer is one participant as the browsers know them: a number for the
// connection and whether they lead the call; never an account or a name.
type GroupPeer struct {
	ID         string `json:"id"`
	Counsellor bool   `json:"counsellor,omitempty"`
}

// GroupFrame is one message of a group call's protocol, either way.
type GroupFrame struct {
	Type  string      `json:"type"`
	Peer  string      `json:"peer,omitempty"`
	You   string      `json:"you,omitempty"`
	Peers []GroupPeer `json:"peers,omitempty"`
	Body  string      `json:"body,omitempty"`
	Call  *Call       `json:"call,omitempty"`
}

// DecodeGroupFrame reads a frame a browser sent on a group call's socket.
// Unknown fields are ignored; an unknown type is the caller's to refuse.
func DecodeGroupFrame(data []byte) (GroupFrame, error) {
	var f GroupFrame
	err := json.Unmarshal(data, &f)
	return f, err
}

// GroupSignal is the rule of what a participant's description or candidate
// becomes on its way to the one peer it names (f.Peer), sent by the
// participant whose connection is from: an offer or answer whose SDP keeps
// only relay candidates (RelayOnlySDP), or one relay candidate
// (RelayCandidate), so that no browser learns another's own addresses. ok
// is false for a frame that cannot be read as signalling (no peer, the
// sender itself, no description, a description that is neither offer nor
// answer, no candidate); forward is false for a readable candidate that is
// dropped because it is no relay candidate. Whether the peer is in the call
// is the caller's to check.
func GroupSignal(f GroupFrame, from string) (out Frame, forward, ok bool) {
	if (f.Type != TypeCallSDP && f.Type != TypeCallICE) || f.Peer == "" || f.Peer == from || f.Call == nil {
		return Frame{}, false, false
	}
	out = Frame{Type: f.Type, ID: f.Peer, From: from, Call: &Call{}}
	if f.Type == TypeCallSDP {
		if f.Call.SDP == nil || (f.Call.SDP.Type != "offer" && f.Call.SDP.Type != "answer") {
			return Frame{}, false, false
		}
		out.Call.SDP = &SessionDesc{Type: f.Call.SDP.Type, SDP: RelayOnlySDP(f.Call.SDP.SDP)}
		return out, true, true
	}
	if f.Call.Candidate == nil {
		return Frame{}, false, false
	}
	c, relay := RelayCandidate(f.Call.Candidate.Candidate)
	if !relay {
		return Frame{}, false, true
	}
	out.Call.Candidate = &Candidate{Candidate: c, SDPMid: f.Call.Candidate.SDPMid, SDPMLineIndex: f.Call.Candidate.SDPMLineIndex}
	return out, true, true
}
