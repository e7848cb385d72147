package counselling_test

import (
	"testing"

	"confidant/counselling"
)

func TestMayReassign(t *testing.T) {
	sup := counselling.Caller{AccountID: "v1", Kind: counselling.KindStaff, Role: counselling.RoleSupervisor, OfficeID: 2}
	member := func(id string, office int64, role counselling.Role, disabled, enrolled bool) *counselling.StaffMember {
		return &counselling.StaffMember{ID: id, OfficeID: office, Role: role, Disabled: disabled, Enrolled: enrolled}
	}
	colleague := member("c2", 2, counselling.RoleCounsellor, false, true)
	rows := []struct {
		name   string
		caller counselling.Caller
		target counselling.ReassignTarget
		field  string // "" when allowed
	}{
		{"a held conversation goes back to the queue", sup, counselling.ReassignTarget{HolderID: "c1"}, ""},
		{"a queued conversation goes to a colleague", sup, counselling.ReassignTarget{ToID: "c2", To: colleague}, ""},
		{"a held conversation goes to another colleague", sup, counselling.ReassignTarget{ToID: "c2", To: colleague, HolderID: "c1"}, ""},
		{"the supervisor may take it themselves", sup, counselling.ReassignTarget{ToID: "v1", To: member("v1", 2, counselling.RoleSupervisor, false, true), HolderID: "c1"}, ""},
		{"another supervisor of the office", sup, counselling.ReassignTarget{ToID: "v3", To: member("v3", 2, counselling.RoleSupervisor, false, true)}, ""},
		{"a queued one is already in the queue", sup, counselling.ReassignTarget{}, "to"},
		{"not to a disabled counsellor", sup, counselling.ReassignTarget{ToID: "c3", To: member("c3", 2, counselling.RoleCounsellor, true, true), HolderID: "c1"}, "to"},
		{"not to someone not yet enrolled", sup, counselling.ReassignTarget{ToID: "c4", To: member("c4", 2, counselling.RoleCounsellor, false, false)}, "to"},
		{"not to a counsellor of another office", sup, counselling.ReassignTarget{ToID: "c5", To: member("c5", 1, counselling.RoleCounsellor, false, true)}, "to"},
		{"not to an admin", sup, counselling.ReassignTarget{ToID: "a1", To: member("a1", 2, counselling.RoleAdmin, false, true)}, "to"},
		{"not to an unknown id", sup, counselling.ReassignTarget{ToID: "zz"}, "to"},
		{"not to the one who holds it", sup, counselling.ReassignTarget{ToID: "c2", To: colleague, HolderID: "c2"}, "to"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			err := counselling.MayReassign(r.caller, r.target)
			if r.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if counselling.ErrorFields(err)[r.field] == "" {
				t.Fatalf("got %v, want a message on %q", err, r.field)
			}
		})
	}
	for _, c := range []counselling.Caller{counsellor, admin, seeker, {}} {
		if err := counselling.MayReassign(c, counselling.ReassignTarget{ToID: "c2", To: colleague}); counselling.ErrorCode(err) != counselling.ENotFound {
			t.Errorf("%+v may reassign: %v", c, err)
		}
	}
}

// A disabled colleague is refused with words that say why, so a supervisor
// who picked an outdated entry knows what to do.
func TestReassigningToADisabledColleagueSaysSo(t *testing.T) {
	sup := counselling.Caller{AccountID: "v1", Kind: counselling.KindStaff, Role: counselling.RoleSupervisor, OfficeID: 2}
	err := counselling.MayReassign(sup, counselling.ReassignTarget{ToID: "c3",
		To: &counselling.StaffMember{ID: "c3", OfficeID: 2, Role: counselling.RoleCounsellor, Disabled: true, Enrolled: true}})
	if got := counselling.ErrorMessage(err); got != "This colleague is disabled and cannot take conversations. Please choose someone else or the open queue." {
		t.Fatalf("message %q", got)
	}
}

func TestReassignTargets(t *testing.T) {
	sup := counselling.Caller{AccountID: "v1", Kind: counselling.KindStaff, Role: counselling.RoleSupervisor, OfficeID: 2}
	staff := []counselling.StaffMember{
		{ID: "c1", OfficeID: 2, Role: counselling.RoleCounsellor, Enrolled: true},
		{ID: "c2", OfficeID: 2, Role: counselling.RoleCounsellor, Enrolled: true, Disabled: true},
		{ID: "a1", OfficeID: 2, Role: counselling.RoleAdmin, Enrolled: true},
		{ID: "v1", OfficeID: 2, Role: counselling.RoleSupervisor, Enrolled: true},
		{ID: "c9", OfficeID: 2, Role: counselling.RoleCounsellor},
	}
	got := counselling.ReassignTargets(sup, staff)
	if len(got) != 2 || got[0].ID != "c1" || got[1].ID != "v1" {
		t.Fatalf("targets %+v, want c1 and v1", got)
	}
	if len(counselling.ReassignTargets(counsellor, staff)) != 0 {
		t.Fatal("a counsellor is offered targets")
	}
}

func TestReturnsToQueueOnDisable(t *testing.T) {
	rows := []struct {
		channel, status string
		want            bool
	}{
		{counselling.ChannelMail, counselling.StatusAssigned, true},
		{counselling.ChannelMail, counselling.StatusOpen, true},
		{counselling.ChannelMail, counselling.StatusClosed, false},
		{counselling.ChannelChat, counselling.StatusAssigned, false},
	}
	for _, r := range rows {
		if got := counselling.ReturnsToQueueOnDisable(r.channel, r.status); got != r.want {
			t.Errorf("%s %s: %v, want %v", r.channel, r.status, got, r.want)
		}
	}
}
