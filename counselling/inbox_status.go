package counselling

// The statuses a counsellor's inbox filters by: enquiries in the open queue,
// conversations in progress, those whose answer is overdue, and closed ones.
const (
	InboxOpen       = "open"
	InboxInProgress = "in-progress"
	InboxOverdue    = "overdue"
	InboxClosed     = "closed"
)

// InboxStatuses are the filters in the order the inbox offers them.
var InboxStatuses = []string{InboxOpen, InboxInProgress, InboxOverdue, InboxClosed}

// ValidInboxStatus reports whether s names a filter; empty is the whole inbox.
func ValidInboxStatus(s string) bool {
	for _, v := range InboxStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// InboxFilter is what an inbox filtered by a status lists: whether the open
// queue and the caller's own conversations appear, with which conversation
// statuses, and whether only overdue ones. The supervisors' lists of flagged
// threads and replies awaiting approval belong to the whole inbox only.
type InboxFilter struct {
	Queue, Own  bool
	OwnStatuses []string // empty: any status
	OnlyOverdue bool
	Extras      bool // flagged threads and replies awaiting approval
}

// FilterInbox is the rule of what each inbox status shows: open is the
// queue nobody has taken; in progress, the caller's conversations that are
// not closed; overdue, whatever of both waits past its due time; closed, the
// caller's closed conversations. Any other status is the whole inbox.
func FilterInbox(status string) InboxFilter {
	switch status {
	case InboxOpen:
		return InboxFilter{Queue: true}
	case InboxInProgress:
		return InboxFilter{Own: true, OwnStatuses: []string{StatusOpen, StatusAssigned}}
	case InboxOverdue:
		return InboxFilter{Queue: true, Own: true, OwnStatuses: []string{StatusOpen, StatusAssigned}, OnlyOverdue: true}
	case InboxClosed:
		return InboxFilter{Own: true, OwnStatuses: []string{StatusClosed}}
	}
	return InboxFilter{Queue: true, Own: true, Extras: true}
}
