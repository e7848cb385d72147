package counselling_test

import (
	"testing"

	"confidant/counselling"
)

var (
	seeker     = counselling.Caller{AccountID: "s1", Kind: counselling.KindSeeker, OfficeID: 1}
	counsellor = counselling.Caller{AccountID: "c1", Kind: counselling.KindStaff, Role: counselling.RoleCounsellor, OfficeID: 1}
	trainee    = counselling.Caller{AccountID: "t1", Kind: counselling.KindStaff, Role: counselling.RoleCounsellor, OfficeID: 1, Trainee: true}
	supervisor = counselling.Caller{AccountID: "v1", Kind: counselling.KindStaff, Role: counselling.RoleSupervisor, OfficeID: 2}
	traineeSup = counselling.Caller{AccountID: "v2", Kind: counselling.KindStaff, Role: counselling.RoleSupervisor, OfficeID: 2, Trainee: true}
	admin      = counselling.Caller{AccountID: "a1", Kind: counselling.KindStaff, Role: counselling.RoleAdmin, OfficeID: 1}
	otherAdmin = counselling.Caller{AccountID: "a2", Kind: counselling.KindStaff, Role: counselling.RoleAdmin, OfficeID: 2}
	guest      = counselling.Caller{AccountID: "g1", Kind: counselling.KindSeeker, OfficeID: 1, Guest: true}
)

func TestActScope(t *testing.T) {
	none := counselling.ThreadScope{None: true}
	mailOnly := map[counselling.ThreadAction]bool{counselling.ActReply: true, counselling.ActDraft: true,
		counselling.ActClose: true, counselling.ActReopen: true}
	held := func(c counselling.Caller, a counselling.ThreadAction) counselling.ThreadScope {
		s := counselling.ThreadScope{OfficeID: c.OfficeID, AssignedTo: c.AccountID}
		if mailOnly[a] {
			s.Channel = counselling.ChannelMail
		}
		return s
	}
	holderOnly := []counselling.ThreadAction{counselling.ActReply, counselling.ActDraft, counselling.ActThemes,
		counselling.ActFlag, counselling.ActClose, counselling.ActReopen, counselling.ActHandover}
	type row struct {
		name   string
		caller counselling.Caller
		action counselling.ThreadAction
		want   counselling.ThreadScope
	}
	rows := []row{
		{"help-seeker replies in own mail threads", seeker, counselling.ActReply, counselling.ThreadScope{SeekerID: "s1", Channel: counselling.ChannelMail}},
		{"help-seeker writes in own chats", seeker, counselling.ActChat, counselling.ThreadScope{SeekerID: "s1", Channel: counselling.ChannelChat}},
		{"guest writes in own chats", guest, counselling.ActChat, counselling.ThreadScope{SeekerID: "g1", Channel: counselling.ChannelChat}},
		{"guest replies to no mail", guest, counselling.ActReply, none},
		{"guest accepts nothing", guest, counselling.ActAccept, none},
		{"help-seeker accepts no chat", seeker, counselling.ActAccept, none},
		{"counsellor accepts chats from own office's live queue", counsellor, counselling.ActAccept,
			counselling.ThreadScope{OfficeID: 1, OrQueued: true, Channel: counselling.ChannelChat}},
		{"counsellor writes in chats they hold", counsellor, counselling.ActChat,
			counselling.ThreadScope{OfficeID: 1, AssignedTo: "c1", Channel: counselling.ChannelChat}},
		{"supervisor writes only in chats they hold", supervisor, counselling.ActChat,
			counselling.ThreadScope{OfficeID: 2, AssignedTo: "v1", Channel: counselling.ChannelChat}},
		{"admin accepts no chat", admin, counselling.ActAccept, none},
		{"admin writes in no chat", admin, counselling.ActChat, none},
		{"help-seeker takes nothing", seeker, counselling.ActTake, none},
		{"help-seeker approves nothing", seeker, counselling.ActApprove, none},
		{"help-seeker adds no note", seeker, counselling.ActNote, none},
		{"counsellor notes what they read", counsellor, counselling.ActNote, counselling.ReadScope(counsellor)},
		{"supervisor notes flagged threads and ended chats too", supervisor, counselling.ActNote,
			counselling.ThreadScope{OfficeID: 2, AssignedTo: "v1", OrFlagged: true, OrAwaitingReview: true, OrSupervised: true, OrEndedChat: true}},
		{"counsellor takes from own office's queue", counsellor, counselling.ActTake, counselling.ThreadScope{OfficeID: 1, OrQueued: true, Channel: counselling.ChannelMail}},
		{"supervisor takes from own office's queue", supervisor, counselling.ActTake, counselling.ThreadScope{OfficeID: 2, OrQueued: true, Channel: counselling.ChannelMail}},
		{"counsellor approves nothing", counsellor, counselling.ActApprove, none},
		{"trainee returns nothing", trainee, counselling.ActReturn, none},
		{"supervisor approves in own office awaiting review", supervisor, counselling.ActApprove,
			counselling.ThreadScope{OfficeID: 2, OrAwaitingReview: true}},
		{"supervisor returns in own office awaiting review", supervisor, counselling.ActReturn,
			counselling.ThreadScope{OfficeID: 2, OrAwaitingReview: true}},
		{"supervisor reassigns every open mail thread of own office", supervisor, counselling.ActReassign,
			counselling.ThreadScope{OfficeID: 2, OrUnclosed: true, Channel: counselling.ChannelMail}},
		{"counsellor reassigns nothing", counsellor, counselling.ActReassign, none},
		{"trainee reassigns nothing", trainee, counselling.ActReassign, none},
		{"admin reassigns nothing", admin, counselling.ActReassign, none},
		{"help-seeker reassigns nothing", seeker, counselling.ActReassign, none},
		{"help-seeker rates own conversations of any channel", seeker, counselling.ActRate, counselling.ThreadScope{SeekerID: "s1"}},
		{"guest rates their own chat (with its pass, once the chat and their session are over)", guest, counselling.ActRate, counselling.ThreadScope{SeekerID: "g1"}},
		{"counsellor rates conversations they hold", counsellor, counselling.ActRate, counselling.ThreadScope{OfficeID: 1, AssignedTo: "c1"}},
		{"supervisor rates only conversations they hold, not flagged or supervised ones", supervisor, counselling.ActRate,
			counselling.ThreadScope{OfficeID: 2, AssignedTo: "v1"}},
		{"admin rates nothing", admin, counselling.ActRate, none},
		{"counsellor asks supervision on conversations they hold", counsellor, counselling.ActSupervise,
			counselling.ThreadScope{OfficeID: 1, AssignedTo: "c1"}},
		{"help-seeker asks no supervision", seeker, counselling.ActSupervise, none},
		{"admin asks no supervision", admin, counselling.ActSupervise, none},
		{"unknown action is refused", supervisor, counselling.ThreadAction("delete"), none},
		{"nobody does nothing", counselling.Caller{}, counselling.ActReply, none},
	}
	for _, a := range holderOnly {
		rows = append(rows,
			row{"counsellor on held threads: " + string(a), counsellor, a, held(counsellor, a)},
			row{"supervisor only on held threads, not flagged ones: " + string(a), supervisor, a, held(supervisor, a)},
			row{"admin acts on no thread: " + string(a), admin, a, none})
		if a != counselling.ActReply {
			rows = append(rows, row{"help-seeker may not " + string(a), seeker, a, none})
		}
	}
	for _, a := range []counselling.ThreadAction{counselling.ActTake, counselling.ActNote, counselling.ActApprove, counselling.ActReturn} {
		rows = append(rows, row{"admin acts on no thread: " + string(a), admin, a, none})
	}
	for _, tc := range rows {
		if got := counselling.ActScope(tc.caller, tc.action); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestMayReview(t *testing.T) {
	for _, tc := range []struct {
		name   string
		caller counselling.Caller
		author string
		want   bool
	}{
		{"supervisor approves a trainee's reply", supervisor, "t1", true},
		{"supervisor never approves own reply", supervisor, "v1", false},
		{"trainee supervisor never approves own reply", traineeSup, "v2", false},
		{"trainee supervisor approves another's reply", traineeSup, "t1", true},
		{"counsellor approves nothing", counsellor, "t1", false},
		{"trainee approves nothing, not even own", trainee, "t1", false},
		{"admin approves nothing", admin, "t1", false},
		{"help-seeker approves nothing", seeker, "t1", false},
		{"a caller without account approves nothing", counselling.Caller{Kind: counselling.KindStaff, Role: counselling.RoleSupervisor}, "", false},
	} {
		if got := counselling.MayReview(tc.caller, tc.author); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestNeedsApproval(t *testing.T) {
	for _, tc := range []struct {
		name   string
		caller counselling.Caller
		want   bool
	}{
		{"a trainee's reply waits for a supervisor", trainee, true},
		{"a supervisor marked as trainee waits too", traineeSup, true},
		{"a counsellor's reply goes out at once", counsellor, false},
		{"a supervisor's reply goes out at once", supervisor, false},
		{"a help-seeker's message goes out at once", seeker, false},
		{"a help-seeker is never held back, whatever the flags",
			counselling.Caller{AccountID: "s2", Kind: counselling.KindSeeker, OfficeID: 1, Trainee: true}, false},
	} {
		if got := counselling.NeedsApproval(tc.caller); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMayReceiveHandover(t *testing.T) {
	good := counselling.StaffMember{ID: "c2", OfficeID: 1, Role: counselling.RoleCounsellor, Enrolled: true}
	with := func(change func(*counselling.StaffMember)) counselling.StaffMember {
		m := good
		change(&m)
		return m
	}
	for _, tc := range []struct {
		name   string
		holder counselling.Caller
		m      counselling.StaffMember
		want   bool
	}{
		{"a counsellor of the office", counsellor, good, true},
		{"a supervisor of the office", counsellor, with(func(m *counselling.StaffMember) { m.Role = counselling.RoleSupervisor }), true},
		{"a trainee of the office", counsellor, with(func(m *counselling.StaffMember) { m.Trainee = true }), true},
		{"not the holder", counsellor, with(func(m *counselling.StaffMember) { m.ID = "c1" }), false},
		{"not another office", counsellor, with(func(m *counselling.StaffMember) { m.OfficeID = 2 }), false},
		{"not an admin", counsellor, with(func(m *counselling.StaffMember) { m.Role = counselling.RoleAdmin }), false},
		{"not someone disabled", counsellor, with(func(m *counselling.StaffMember) { m.Disabled = true }), false},
		{"not someone who never enrolled", counsellor, with(func(m *counselling.StaffMember) { m.Enrolled = false }), false},
		{"not nobody", counsellor, counselling.StaffMember{}, false},
		{"an admin hands nothing over", admin, good, false},
		{"a help-seeker hands nothing over", seeker, good, false},
	} {
		if got := counselling.MayReceiveHandover(tc.holder, tc.m); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	staff := []counselling.StaffMember{good, with(func(m *counselling.StaffMember) { m.ID = "c1" }),
		with(func(m *counselling.StaffMember) { m.ID = "a9"; m.Role = counselling.RoleAdmin })}
	if got := counselling.HandoverTargets(counsellor, staff); len(got) != 1 || got[0].ID != "c2" {
		t.Errorf("handover targets: %+v, want only c2", got)
	}
}

func TestAdministers(t *testing.T) {
	const main = 1
	for _, tc := range []struct {
		name   string
		caller counselling.Caller
		want   counselling.AdminScope
	}{
		{"admin of the first office administers it and creates offices", admin, counselling.AdminScope{OfficeID: 1, Offices: true}},
		{"admin of another office administers only that one", otherAdmin, counselling.AdminScope{OfficeID: 2}},
		{"supervisor administers nothing", supervisor, counselling.AdminScope{}},
		{"counsellor administers nothing", counsellor, counselling.AdminScope{}},
		{"help-seeker administers nothing", seeker, counselling.AdminScope{}},
		{"a help-seeker with an admin role administers nothing",
			counselling.Caller{AccountID: "s2", Kind: counselling.KindSeeker, Role: counselling.RoleAdmin, OfficeID: 1}, counselling.AdminScope{}},
		{"nobody administers nothing", counselling.Caller{}, counselling.AdminScope{}},
	} {
		got := counselling.Administers(tc.caller, main)
		if got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
		if got.None() != (tc.want.OfficeID == 0) {
			t.Errorf("%s: None() = %v", tc.name, got.None())
		}
	}
}

func TestInboxOf(t *testing.T) {
	none := counselling.ThreadScope{None: true}
	for _, tc := range []struct {
		name   string
		caller counselling.Caller
		want   counselling.InboxScopes
	}{
		{"counsellor: own office's queue and held threads", counsellor, counselling.InboxScopes{
			Queue: counselling.ThreadScope{OfficeID: 1, OrQueued: true, Channel: counselling.ChannelMail}, Own: counselling.ThreadScope{OfficeID: 1, AssignedTo: "c1"},
			Flagged: none, Review: none}},
		{"supervisor: also own office's flagged and awaiting approval", supervisor, counselling.InboxScopes{
			Queue: counselling.ThreadScope{OfficeID: 2, OrQueued: true, Channel: counselling.ChannelMail}, Own: counselling.ThreadScope{OfficeID: 2, AssignedTo: "v1"},
			Flagged: counselling.ThreadScope{OfficeID: 2, OrFlagged: true}, Review: counselling.ThreadScope{OfficeID: 2, OrAwaitingReview: true}}},
		{"admin: no inbox", admin, counselling.InboxScopes{Queue: none, Own: none, Flagged: none, Review: none}},
		{"help-seeker: no inbox", seeker, counselling.InboxScopes{Queue: none, Own: none, Flagged: none, Review: none}},
	} {
		if got := counselling.InboxOf(tc.caller); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
