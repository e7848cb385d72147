package counselling

import (
	"strings"
	"time"
)

// FormerStaff names a staff member whose account was deleted wherever their
// name was shown (their messages, notes, a conversation they held). It is no
// name but a message: pages and live frames translate it (templates.StaffName).
const FormerStaff = "a former counsellor"

// InviteTTL is how long a staff invite link works.
const InviteTTL = 72 * time.Hour

// FirstAdminInviteTTL is how long the link that creates the first admin works.
// It is shorter than other invites: it is printed on the console of a fresh
// office, and whoever opens it administers the whole installation.
const FirstAdminInviteTTL = 24 * time.Hour

// Invite is an open invitation for a staff member to set a password and enrol
// the second factor.
type Invite struct {
	AccountID string
	Name      string
	Role      Role
	OfficeID  int64
	// Secret is the TOTP secret offered for enrolment (base32).
	Secret string
}

// NewStaff is what an admin gives to invite someone.
type NewStaff struct {
	OfficeID int64
	Role     Role
	Name     string
}

// Validate checks a new staff member's details.
func (n *NewStaff) Validate() error {
	p := Problems{}
	n.Name = strings.TrimSpace(n.Name)
	if _, err := ParseRole(string(n.Role)); err != nil {
		p.Add("role", ErrorMessage(err))
	}
	if _, err := NormalizeStaffName(n.Name); err != nil {
		p.Add("name", ErrorMessage(err))
	}
	return p.Err()
}

// StaffMember is a member of an office's staff as lists show them.
type StaffMember struct {
	ID       string
	OfficeID int64
	Name     string
	Role     Role
	Trainee  bool
	Disabled bool
	Enrolled bool
	// AwaitingApproval: an admin who cannot log in until another admin of
	// the office approves them (AwaitsSecondAdmin).
	AwaitingApproval bool
	// MadeBy is the admin who made a waiting admin (by an invitation or a
	// change of role), or "".
	MadeBy string
}

// MaxSecondFactorFailures is how many wrong codes end a half-finished login.
const MaxSecondFactorFailures = 5
