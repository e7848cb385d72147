package counselling

import "time"

// Assignment is an open mail conversation of an office as a supervisor sees
// it when they redistribute work: who holds it and since when it waits, never
// what it says.
type Assignment struct {
	ID             string
	ThemeName      string
	HolderID       string // "" while it waits in the open queue
	Holder         string // the holder's display name
	HolderDisabled bool
	LastActivityAt time.Time
}

// ReassignTarget is where a supervisor sends a conversation: to a colleague
// (ToID) or, with ToID empty, back to the office's open queue.
type ReassignTarget struct {
	ToID string
	// To is what the rules look at of the colleague; nil for the queue or for
	// an id that names no member of staff.
	To *StaffMember
	// HolderID is who holds the conversation now ("" in the queue).
	HolderID string
}

// MayReassign is the rule of where a supervisor may send an open conversation
// of their office (which conversations, ActScope with ActReassign says):
// back to the open queue, or to a colleague of the same office who counsels
// (a counsellor or a supervisor, themselves included) and who can log in. A
// disabled colleague is refused with a message that says so, since the
// supervisor may not see that in the list; a conversation is never sent to
// the one who already holds it, nor an unheld one back to the queue.
func MayReassign(sup Caller, t ReassignTarget) error {
	if !sup.Supervises() {
		return Errorf(ENotFound, "We could not find that. It may have been deleted, or you may not be allowed to see it.")
	}
	if t.ToID == "" {
		if t.HolderID == "" {
			return FieldError("to", "This conversation is already in the open queue.")
		}
		return nil
	}
	m := t.To
	switch {
	case m == nil || m.OfficeID != sup.OfficeID || (m.Role != RoleCounsellor && m.Role != RoleSupervisor):
		return FieldError("to", "Please choose a counsellor of this office from the list.")
	case m.Disabled:
		return FieldError("to", "This colleague is disabled and cannot take conversations. Please choose someone else or the open queue.")
	case !m.Enrolled:
		return FieldError("to", "This colleague has not yet accepted their invitation. Please choose someone else or the open queue.")
	case m.ID == t.HolderID:
		return FieldError("to", "This colleague already holds the conversation.")
	}
	return nil
}

// ReassignTargets are the colleagues a supervisor is offered for a
// conversation: those MayReassign accepts for a conversation nobody holds.
func ReassignTargets(sup Caller, staff []StaffMember) []StaffMember {
	var out []StaffMember
	for _, m := range staff {
		if MayReassign(sup, ReassignTarget{ToID: m.ID, To: &m}) == nil {
			out = append(out, m)
		}
	}
	return out
}

// ReturnsToQueueOnDisable is the rule of what happens to a staff member's
// conversations when they are disabled: their open mail conversations go
// back to the office's open queue, with their notes, so no help-seeker waits
// for someone who will not answer. Closed ones stay as they are, and chats,
// which end when their page closes, are not queued again.
func ReturnsToQueueOnDisable(channel, status string) bool {
	return channel == ChannelMail && status != StatusClosed
}
