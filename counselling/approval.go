package counselling

// AwaitsSecondAdmin is the rule of which admins wait for a second admin's
// approval before they can log in: every admin that an admin makes (by an
// invitation or by changing someone's role) in an office that already has an
// active admin, so that one admin's account alone, taken over or misused,
// cannot make further admins. The installation's first admin (from the
// console link) and the first admin of a new office have nobody who could
// approve them; an admin made by the operator on the command line comes from
// whoever runs the office and holds its keys anyway.
func AwaitsSecondAdmin(role Role, byAdmin bool, activeAdmins int) bool {
	return role == RoleAdmin && byAdmin && activeAdmins > 0
}

// MayApproveAdmin is the rule of who approves a waiting admin: another admin
// of the same office (never the waiting admin themselves), and only an admin
// who still waits. While the office has an active admin besides the one who
// made the waiting admin (otherAdmins counts them), that other admin must
// approve, so that four eyes see every new admin wherever there are four; an
// office with a single admin has nobody else, and its admin approves.
func MayApproveAdmin(approver Caller, m StaffMember, otherAdmins int) error {
	switch {
	case approver.Kind != KindStaff || approver.Role != RoleAdmin || approver.AccountID == "" || m.OfficeID != approver.OfficeID:
		return Errorf(ENotFound, "We could not find that. It may have been deleted, or you may not be allowed to see it.")
	case m.ID == approver.AccountID:
		return Errorf(EInvalid, "Another admin of the office must approve you.")
	case m.Role == RoleAdmin && m.AwaitingApproval && m.MadeBy == approver.AccountID && otherAdmins > 0:
		return Errorf(EInvalid, "You made this admin, so another admin of the office must approve them.")
	case m.Role != RoleAdmin || !m.AwaitingApproval:
		return Errorf(EConflict, "This admin does not wait for approval.")
	}
	return nil
}
