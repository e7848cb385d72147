package counselling_test

import (
	"testing"

	"confidant/counselling"
)

func TestAwaitsSecondAdmin(t *testing.T) {
	rows := []struct {
		name         string
		role         counselling.Role
		byAdmin      bool
		activeAdmins int
		want         bool
	}{
		{"an admin invited by an admin of the office", counselling.RoleAdmin, true, 1, true},
		{"an admin invited where two admins are active", counselling.RoleAdmin, true, 2, true},
		{"the first admin of a new office", counselling.RoleAdmin, true, 0, false},
		{"the installation's first admin, from the console", counselling.RoleAdmin, false, 0, false},
		{"an admin added by the operator", counselling.RoleAdmin, false, 1, false},
		{"a counsellor", counselling.RoleCounsellor, true, 1, false},
		{"a supervisor", counselling.RoleSupervisor, true, 1, false},
	}
	for _, r := range rows {
		if got := counselling.AwaitsSecondAdmin(r.role, r.byAdmin, r.activeAdmins); got != r.want {
			t.Errorf("%s: %v, want %v", r.name, got, r.want)
		}
	}
}

func TestMayApproveAdmin(t *testing.T) {
	waiting := counselling.StaffMember{ID: "a9", OfficeID: 1, Role: counselling.RoleAdmin, AwaitingApproval: true}
	madeByAdmin := waiting
	madeByAdmin.MadeBy = admin.AccountID
	rows := []struct {
		name     string
		approver counselling.Caller
		m        counselling.StaffMember
		others   int              // active admins besides the waiting one and their maker
		want     counselling.Code // "" when allowed
	}{
		{"another admin of the office", admin, waiting, 1, ""},
		{"an admin of another office", otherAdmin, waiting, 1, counselling.ENotFound},
		{"the waiting admin themselves", counselling.Caller{AccountID: "a9", Kind: counselling.KindStaff, Role: counselling.RoleAdmin, OfficeID: 1}, waiting, 1, counselling.EInvalid},
		{"a supervisor", counselling.Caller{AccountID: "v9", Kind: counselling.KindStaff, Role: counselling.RoleSupervisor, OfficeID: 1}, waiting, 1, counselling.ENotFound},
		{"a counsellor", counsellor, waiting, 1, counselling.ENotFound},
		{"a help-seeker", seeker, waiting, 1, counselling.ENotFound},
		{"an admin who does not wait", admin, counselling.StaffMember{ID: "a8", OfficeID: 1, Role: counselling.RoleAdmin}, 1, counselling.EConflict},
		{"a counsellor is no admin to approve", admin, counselling.StaffMember{ID: "c8", OfficeID: 1, Role: counselling.RoleCounsellor, AwaitingApproval: true}, 1, counselling.EConflict},
		{"the admin who made them, while another admin could approve", admin, madeByAdmin, 1, counselling.EInvalid},
		{"the admin who made them, when nobody else could", admin, madeByAdmin, 0, ""},
		{"another admin than the one who made them", counselling.Caller{AccountID: "a7", Kind: counselling.KindStaff, Role: counselling.RoleAdmin, OfficeID: 1}, madeByAdmin, 1, ""},
	}
	for _, r := range rows {
		err := counselling.MayApproveAdmin(r.approver, r.m, r.others)
		if got := counselling.ErrorCode(err); got != r.want {
			t.Errorf("%s: %q (%v), want %q", r.name, got, err, r.want)
		}
	}
}
