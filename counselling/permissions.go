package counselling

// ThreadAction is something done to a thread other than reading it.
type ThreadAction string

// The actions on a thread. Each has one rule of who may do it, in ActScope.
const (
	ActReply     ThreadAction = "reply"     // write a message
	ActDraft     ThreadAction = "draft"     // save an unfinished reply
	ActNote      ThreadAction = "note"      // add a private note
	ActThemes    ThreadAction = "themes"    // tag the thread's themes
	ActFlag      ThreadAction = "flag"      // mark a risk to others
	ActClose     ThreadAction = "close"     // close the thread
	ActReopen    ThreadAction = "reopen"    // open a closed thread again
	ActHandover  ThreadAction = "handover"  // give the thread to a colleague
	ActTake      ThreadAction = "take"      // take a thread from the open queue
	ActApprove   ThreadAction = "approve"   // deliver a trainee's pending reply
	ActReturn    ThreadAction = "return"    // send a pending reply back with a comment
	ActAccept    ThreadAction = "accept"    // accept a chat waiting in the live queue
	ActChat      ThreadAction = "chat"      // write in a running chat, or end it
	ActReassign  ThreadAction = "reassign"  // give an open thread to a colleague or back to the queue
	ActRate      ThreadAction = "rate"      // rate a conversation that is over
	ActSupervise ThreadAction = "supervise" // ask a supervisor to look at it
)

// ActScope is the rule of who may act on which thread. It says which threads a
// caller may do action to, as a scope the store turns into a SQL condition, so
// that a thread outside it is never loaded and the caller learns nothing of it:
//
//   - help-seekers reply in their own threads and do nothing else;
//   - the counsellor who holds a thread replies, saves drafts, tags themes,
//     flags, closes, reopens and hands it over; nobody else does, supervisors
//     included, because a thread has one voice towards its help-seeker;
//   - while the holder is away, their stand-in is that voice: they reply and
//     save drafts in the holder's mail threads, and nothing more;
//   - notes are added by every staff member who may read the thread, so that a
//     supervisor can leave one on a flagged thread;
//   - counsellors and supervisors take threads from their own office's queue;
//   - supervisors approve or return replies in threads of their office that
//     await approval (and never their own reply: see MayReview);
//   - admins act on no thread, since they read none;
//   - mail and chat are told apart: replies, drafts, closing, reopening and
//     taking from the queue are for mail; a chat is accepted from the live
//     queue, and written in or ended by its help-seeker and the counsellor
//     who holds it; notes, themes, flag and handover are the same for both;
//   - supervisors reassign every open mail thread of their office, held or
//     queued, to a colleague or back to the queue (where to: MayReassign), so
//     that no enquiry is stranded with someone who is away for good; they
//     see of it only what the list of assignments shows, not its messages;
//   - a guest writes in their chat and does nothing else;
//   - a conversation is rated by its help-seeker (a guest too, who after
//     the chat shows the chat's GuestPass instead of a session) and by the
//     counsellor who holds it, each from their own side (see RatingSideOf
//     and Rateable);
//   - the counsellor who holds a conversation asks for supervision on it.
func ActScope(c Caller, action ThreadAction) ThreadScope {
	none := ThreadScope{None: true}
	if c.Kind == KindSeeker {
		switch {
		case action == ActReply && !c.Guest:
			s := ReadScope(c)
			s.Channel = ChannelMail
			return s
		case action == ActChat:
			s := ReadScope(c)
			s.Channel = ChannelChat
			return s
		case action == ActRate:
			return ReadScope(c)
		}
		return none
	}
	if !c.Counsels() {
		return none
	}
	switch action {
	case ActReply, ActDraft:
		return ThreadScope{OfficeID: c.OfficeID, AssignedTo: c.AccountID, StandInFor: c.StandsInFor, Channel: ChannelMail}
	case ActClose, ActReopen:
		return ThreadScope{OfficeID: c.OfficeID, AssignedTo: c.AccountID, Channel: ChannelMail}
	case ActChat:
		return ThreadScope{OfficeID: c.OfficeID, AssignedTo: c.AccountID, Channel: ChannelChat}
	case ActThemes, ActFlag, ActHandover, ActRate, ActSupervise:
		return ThreadScope{OfficeID: c.OfficeID, AssignedTo: c.AccountID}
	case ActNote:
		return ReadScope(c)
	case ActTake:
		return ThreadScope{OfficeID: c.OfficeID, OrQueued: true, Channel: ChannelMail}
	case ActAccept:
		return ThreadScope{OfficeID: c.OfficeID, OrQueued: true, Channel: ChannelChat}
	case ActReassign:
		if c.Supervises() {
			return ThreadScope{OfficeID: c.OfficeID, OrUnclosed: true, Channel: ChannelMail}
		}
	case ActApprove, ActReturn:
		if c.Supervises() {
			return ThreadScope{OfficeID: c.OfficeID, OrAwaitingReview: true}
		}
	}
	return none
}

// MayReview is the rule of who approves or returns a pending reply: a
// supervisor who did not write it. Whatever the roles and flags (a supervisor
// marked as trainee, a trainee promoted while a reply waits), the approver of a
// reply is never its author, so that every pending reply is read by a second
// person before the help-seeker sees it.
func MayReview(c Caller, replyAuthorID string) bool {
	return c.Supervises() && c.AccountID != "" && replyAuthorID != c.AccountID
}

// NeedsApproval is the rule of whose replies wait for a supervisor: those of
// staff marked as trainees, whatever their role, so that a supervisor who is
// still in training is read by a colleague too. A help-seeker's message never
// waits. A waiting reply reaches the help-seeker once someone who MayReview
// it approves it.
func NeedsApproval(c Caller) bool {
	return c.Kind == KindStaff && c.Trainee
}

// MayReceiveHandover is the rule of whom a thread may be handed to: a colleague
// of the holder's own office who counsels (a counsellor or a supervisor), can
// log in (enrolled, not disabled), and is not the holder already. The inbox
// lists exactly these colleagues and the store refuses anyone else.
func MayReceiveHandover(holder Caller, m StaffMember) bool {
	return holder.Counsels() && m.OfficeID == holder.OfficeID && m.ID != "" && m.ID != holder.AccountID &&
		(m.Role == RoleCounsellor || m.Role == RoleSupervisor) && m.Enrolled && !m.Disabled
}

// HandoverTargets returns the members of staff a thread held by holder may be
// handed to, in the order given.
func HandoverTargets(holder Caller, staff []StaffMember) []StaffMember {
	var out []StaffMember
	for _, m := range staff {
		if MayReceiveHandover(holder, m) {
			out = append(out, m)
		}
	}
	return out
}

// AdminScope says what a caller administers. OfficeID is the office whose
// staff, themes, regions, settings, privacy terms, audit log and statistics the
// caller manages (zero: none). Offices says whether the caller also creates
// further offices.
type AdminScope struct {
	OfficeID int64
	Offices  bool
}

// None reports whether the caller administers nothing.
func (s AdminScope) None() bool { return s.OfficeID == 0 }

// Administers is the rule of who administers what: an office's admins
// administer that office and no other, and the admins of the installation's
// first office (defaultOfficeID) also create further offices. Counsellors,
// supervisors and help-seekers administer nothing, whatever else they may do.
func Administers(c Caller, defaultOfficeID int64) AdminScope {
	if c.Kind != KindStaff || c.Role != RoleAdmin || c.AccountID == "" || c.OfficeID == 0 {
		return AdminScope{}
	}
	return AdminScope{OfficeID: c.OfficeID, Offices: defaultOfficeID != 0 && c.OfficeID == defaultOfficeID}
}

// InboxScopes are the lists a counsellor's inbox shows, each as a scope: the
// open queue the caller takes from, the threads the caller holds and, for
// supervisors, the office's flagged threads and the threads awaiting approval.
// A list the caller does not get is None.
type InboxScopes struct {
	Queue, Own, Flagged, Review ThreadScope
}

// InboxOf is the rule of what a caller's inbox lists. Each list lies within
// what the caller may read (ReadScope) or take (ActScope), so the inbox never
// names a thread its reader could not open.
func InboxOf(c Caller) InboxScopes {
	none := ThreadScope{None: true}
	in := InboxScopes{Queue: none, Own: none, Flagged: none, Review: none}
	if !c.Counsels() {
		return in
	}
	read := ReadScope(c)
	in.Queue = ActScope(c, ActTake)
	in.Own = ThreadScope{OfficeID: read.OfficeID, AssignedTo: read.AssignedTo, StandInFor: read.StandInFor}
	if read.OrFlagged {
		in.Flagged = ThreadScope{OfficeID: read.OfficeID, OrFlagged: true}
	}
	if read.OrAwaitingReview {
		in.Review = ThreadScope{OfficeID: read.OfficeID, OrAwaitingReview: true}
	}
	return in
}
