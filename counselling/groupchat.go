package counselling

import (
	"strconv"
	"strings"
	"time"
)

// Themed group chats: an admin or supervisor schedules a moderated text
// group chat (a theme, a start and end, at most N participants, rules) and
// names a counsellor or supervisor of the office as its moderator.
// Registered help-seekers see upcoming groups on /live and join while it
// runs, once they accepted its rules. In the group everyone but the
// moderator appears only under a pseudonym of that group ("Participant 3"),
// never their nickname. The moderator mutes or removes participants and ends
// the group. The transcript follows the chat retention rule; the anonymous
// facts keep only how many took part, in a bucket.

// Group chat bounds.
const (
	GroupThemeMaxRunes = 120
	GroupRulesMaxRunes = 4_000
	GroupMinSize       = 2
	GroupMaxSize       = 50
	GroupMinLength     = 15 * time.Minute
	GroupMaxLength     = 4 * time.Hour
	GroupMaxAhead      = 180 * 24 * time.Hour
	// GroupOpensBefore is how early participants may come in, as to a room
	// whose door opens a little before the start, so that the group can
	// begin on time.
	GroupOpensBefore = 5 * time.Minute
)

// Group chat states.
const (
	GroupUpcoming = "upcoming"
	GroupRunning  = "running"
	GroupFinished = "finished"
)

// GroupChat is a scheduled group chat.
type GroupChat struct {
	ID          string
	OfficeID    int64
	Theme       string
	Rules       string
	StartsAt    time.Time
	EndsAt      time.Time
	MaxSize     int
	ModeratorID string
	EndedAt     time.Time // when the moderator ended it early
	// Present is how many participants are in it now (joined, not removed).
	Present int
}

// Status is where the group stands at now: upcoming, running (from
// GroupOpensBefore before its start) or finished (its end has passed, or the
// moderator ended it).
func (g GroupChat) Status(now time.Time) string {
	switch {
	case !g.EndedAt.IsZero() || !now.Before(g.EndsAt):
		return GroupFinished
	case now.Before(g.StartsAt.Add(-GroupOpensBefore)):
		return GroupUpcoming
	}
	return GroupRunning
}

// NewGroupChat reads a group chat an admin or supervisor schedules: start
// and end in office time (loc, by ParseOfficeTime), at most GroupMaxLength
// apart and at least GroupMinLength, in the future; between GroupMinSize and
// GroupMaxSize participants; a theme and rules.
func NewGroupChat(theme, rules, start, end, size, moderatorID string, loc *time.Location, now time.Time) (GroupChat, error) {
	p := Problems{}
	theme, rules = strings.TrimSpace(theme), strings.TrimSpace(rules)
	if err := ValidateText("theme", theme, GroupThemeMaxRunes); err != nil {
		p.Add("theme", "Please give the group a theme of at most 120 characters.")
	}
	if err := ValidateText("rules", rules, GroupRulesMaxRunes); err != nil {
		p.Add("rules", "Please write the group's rules, in at most 4,000 characters.")
	}
	from, err := ParseOfficeTime(start, loc)
	switch {
	case err == ErrOfficeTimeFormat:
		p.Add("starts_at", "Please give the start as date and time, like 2026-12-01T14:30.")
	case err != nil:
		p.Add("starts_at", ErrorMessage(err))
	case !from.After(now):
		p.Add("starts_at", "The start must lie in the future.")
	case from.Sub(now) > GroupMaxAhead:
		p.Add("starts_at", "Group chats can be scheduled at most 180 days ahead.")
	}
	to, err := ParseOfficeTime(end, loc)
	switch {
	case err == ErrOfficeTimeFormat:
		p.Add("ends_at", "Please give the end as date and time, like 2026-12-01T15:30.")
	case err != nil:
		p.Add("ends_at", ErrorMessage(err))
	case to.Sub(from) < GroupMinLength || to.Sub(from) > GroupMaxLength:
		p.Add("ends_at", "A group chat lasts from 15 minutes to 4 hours.")
	}
	n, err := strconv.Atoi(strings.TrimSpace(size))
	if err != nil || n < GroupMinSize || n > GroupMaxSize {
		p.Add("max_size", "A group has from 2 to 50 participants.")
	}
	if moderatorID == "" {
		p.Add("moderator", "Please choose who moderates the group.")
	}
	if err := p.Err(); err != nil {
		return GroupChat{}, err
	}
	return GroupChat{Theme: theme, Rules: rules, StartsAt: from.UTC(), EndsAt: to.UTC(), MaxSize: n, ModeratorID: moderatorID}, nil
}

// MayScheduleGroups is the rule of who schedules group chats: admins and
// supervisors.
func MayScheduleGroups(c Caller) bool {
	return c.Kind == KindStaff && c.AccountID != "" && (c.Role == RoleAdmin || c.Role == RoleSupervisor)
}

// MayModerate is the rule of who can be named a group's moderator: those who
// counsel (counsellors and supervisors), since a moderator reads and writes
// in the group; admins read no counselling content.
func MayModerate(c Caller) bool { return c.Counsels() }

// GroupMember is a help-seeker's place in a group: their pseudonym's number,
// and whether the moderator muted or removed them.
type GroupMember struct {
	No      int
	Muted   bool
	Removed bool
}

// GroupRole is how a caller takes part in a group.
type GroupRole int

const (
	GroupNobody GroupRole = iota
	// GroupModerator is the counsellor who moderates the group.
	GroupModerator
	// GroupCandidate is a registered help-seeker of the office who has not
	// joined: they see the group's theme, times and rules.
	GroupCandidate
	// GroupParticipant has accepted the rules and joined.
	GroupParticipant
	// GroupRemoved was taken out by the moderator and sees nothing more.
	GroupRemoved
)

// GroupRoleOf is the rule of how a caller takes part in a group: its
// moderator; a registered help-seeker of its office, as a candidate until
// they join and a participant after, until removed. Anyone else, admins and
// other staff included, has no part in it.
func GroupRoleOf(c Caller, g GroupChat, m *GroupMember) GroupRole {
	switch {
	case c.AccountID == "" || c.OfficeID != g.OfficeID:
		return GroupNobody
	case MayModerate(c) && c.AccountID == g.ModeratorID:
		return GroupModerator
	case !MayUseAccountPages(c):
		return GroupNobody
	case m == nil:
		return GroupCandidate
	case m.Removed:
		return GroupRemoved
	}
	return GroupParticipant
}

// Refusals of group actions.
var (
	ErrGroupFull     = Errorf(EConflict, "Sorry, this group is full.")
	ErrGroupFinished = Errorf(EConflict, "This group chat has ended.")
	ErrGroupNotYet   = Errorf(EConflict, "This group chat has not started yet. You can join from 5 minutes before it begins.")
	ErrGroupRules    = FieldError("accept_rules", "Please accept the group's rules to join.")
	ErrGroupMuted    = Errorf(EConflict, "The moderator has muted you in this group. You can still read along.")
)

// MayJoinGroup is the rule of joining: a candidate joins while the group
// runs, once they accepted its rules, and while fewer than its maximum are
// present.
func MayJoinGroup(role GroupRole, g GroupChat, acceptedRules bool, now time.Time) error {
	switch {
	case role == GroupParticipant:
		return nil
	case role != GroupCandidate:
		return Errorf(ENotFound, "We could not find that. It may have been deleted, or you may not be allowed to see it.")
	case g.Status(now) == GroupFinished:
		return ErrGroupFinished
	case g.Status(now) == GroupUpcoming:
		return ErrGroupNotYet
	case !acceptedRules:
		return ErrGroupRules
	case g.Present >= g.MaxSize:
		return ErrGroupFull
	}
	return nil
}

// MaySayInGroup is the rule of writing in a group: while it runs, its
// moderator and its participants who are not muted.
func MaySayInGroup(role GroupRole, m *GroupMember, g GroupChat, now time.Time) error {
	switch {
	case role != GroupModerator && role != GroupParticipant:
		return Errorf(ENotFound, "We could not find that. It may have been deleted, or you may not be allowed to see it.")
	case g.Status(now) != GroupRunning:
		return ErrGroupFinished
	case role == GroupParticipant && m != nil && m.Muted:
		return ErrGroupMuted
	}
	return nil
}

// MayReadGroup is the rule of who reads a group's messages: its moderator
// and its participants; a removed participant no longer does.
func MayReadGroup(role GroupRole) bool {
	return role == GroupModerator || role == GroupParticipant
}

// MayModerateGroup is the rule of muting, removing and ending: the group's
// moderator, until it is finished.
func MayModerateGroup(role GroupRole, g GroupChat, now time.Time) bool {
	return role == GroupModerator && g.Status(now) != GroupFinished
}

// GroupMessage is one message of a group chat as its readers see it: by
// the author's number in the group (0: the moderator), never by name.
type GroupMessage struct {
	Seq       int64
	MemberNo  int
	Mine      bool
	Body      string
	CreatedAt time.Time
}

// GroupView is a group chat as one caller sees it: their part in it, and
// for those who read it, its messages; for its moderator also who is in it.
type GroupView struct {
	Group    GroupChat
	Role     GroupRole
	Me       *GroupMember
	Members  []GroupMember
	Messages []GroupMessage
}

// GroupSizeBucket puts how many took part in a group into the coarse bucket
// the anonymous statistics keep.
func GroupSizeBucket(n int) string {
	switch {
	case n <= 2:
		return "0-2"
	case n <= 5:
		return "3-5"
	case n <= 10:
		return "6-10"
	case n <= 20:
		return "11-20"
	}
	return "over-20"
}

// GroupSizeBuckets lists GroupSizeBucket's buckets in order.
var GroupSizeBuckets = []string{"0-2", "3-5", "6-10", "11-20", "over-20"}

// GroupSizeTally is the year report's table of groups by size, suppressed
// like every other table of the report.
func GroupSizeTally(counts map[string]int) Tally { return tallyOf(GroupSizeBuckets, counts) }

// GroupPseudonym is the message id of how a group names a participant by
// their number in it ({{.No}}): "Participant 3".
const GroupPseudonym = "Participant {{.No}}"

// ExportGroupChat is one group chat a help-seeker joined, in their export:
// its theme and times, their number in it (the web layer writes it as
// GroupPseudonym in the reader's language), whether the moderator muted or
// removed them, and only their own messages.
type ExportGroupChat struct {
	Theme         string               `json:"theme"`
	StartsAt      time.Time            `json:"starts_at"`
	EndsAt        time.Time            `json:"ends_at"`
	ParticipantNo int                  `json:"participant_no"`
	Pseudonym     string               `json:"pseudonym"`
	JoinedAt      time.Time            `json:"joined_at"`
	Muted         bool                 `json:"muted"`
	RemovedAt     *time.Time           `json:"removed_at,omitempty"`
	Messages      []ExportGroupMessage `json:"your_messages"`
}

// ExportGroupMessage is one message a help-seeker wrote in a group chat, in
// their export.
type ExportGroupMessage struct {
	Body   string    `json:"body"`
	SentAt time.Time `json:"sent_at"`
}
