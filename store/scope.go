package store

import (
	"strings"

	"confidant/counselling"
)

// scopeSQL turns a scope of the domain's (who reads, who acts on which thread)
// into a SQL condition on threads t.
func scopeSQL(s counselling.ThreadScope) (string, []any) {
	switch {
	case s.None:
		return "1 = 0", nil
	case s.SeekerID != "" && s.Channel != "":
		return "t.seeker_id = ? AND t.channel = ?", []any{s.SeekerID, s.Channel}
	case s.SeekerID != "":
		return "t.seeker_id = ?", []any{s.SeekerID}
	}
	var alts []string
	args := []any{s.OfficeID}
	switch {
	case s.AssignedTo != "" && s.HeldUntilChatEnds:
		alts = append(alts, "(t.counsellor_id = ? AND NOT (t.channel = 'chat' AND t.status = 'closed'))")
		args = append(args, s.AssignedTo)
	case s.AssignedTo != "":
		alts = append(alts, "t.counsellor_id = ?")
		args = append(args, s.AssignedTo)
	}
	if absent := strings.Fields(s.StandInFor); len(absent) > 0 {
		alts = append(alts, "(t.channel = 'mail' AND t.counsellor_id IN (?"+strings.Repeat(", ?", len(absent)-1)+"))")
		for _, id := range absent {
			args = append(args, id)
		}
	}
	if s.OrFlagged {
		alts = append(alts, "t.flagged_at IS NOT NULL")
	}
	if s.OrAwaitingReview {
		alts = append(alts, "t.pending_reviews > 0")
	}
	if s.OrQueued {
		alts = append(alts, "(t.status = 'open' AND t.counsellor_id IS NULL)")
	}
	if s.OrUnclosed {
		alts = append(alts, "t.status != 'closed'")
	}
	if s.OrRunningChat {
		alts = append(alts, "(t.channel = 'chat' AND t.status = 'assigned' AND t.counsellor_id IS NOT NULL)")
	}
	if s.OrEndedChat {
		alts = append(alts, "(t.channel = 'chat' AND t.status = 'closed')")
	}
	if s.OrSupervised {
		alts = append(alts, "EXISTS (SELECT 1 FROM supervision_items si WHERE si.thread_id = t.id AND si.closed_at IS NULL)")
	}
	if s.OfficeID == 0 || len(alts) == 0 {
		return "1 = 0", nil
	}
	cond := "t.office_id = ? AND (" + strings.Join(alts, " OR ") + ")"
	if s.Channel != "" {
		cond += " AND t.channel = ?"
		args = append(args, s.Channel)
	}
	return cond, args
}
