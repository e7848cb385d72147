package live_test

import (
	"errors"
	"fmt"
	"testing"

	"confidant/counselling"
	"confidant/counselling/live"
)

var (
	leader     = counselling.Caller{AccountID: "c1", Kind: counselling.KindStaff, Role: counselling.RoleCounsellor, OfficeID: 1}
	colleague  = counselling.Caller{AccountID: "c2", Kind: counselling.KindStaff, Role: counselling.RoleCounsellor, OfficeID: 1}
	supervisor = counselling.Caller{AccountID: "v1", Kind: counselling.KindStaff, Role: counselling.RoleSupervisor, OfficeID: 1}
	admin      = counselling.Caller{AccountID: "a1", Kind: counselling.KindStaff, Role: counselling.RoleAdmin, OfficeID: 1}
)

func seekerNo(n int) counselling.Caller {
	return counselling.Caller{AccountID: fmt.Sprintf("s%d", n), Kind: counselling.KindSeeker, OfficeID: 1}
}

func heldBy(holder string, seeker int) *counselling.Thread {
	t := &counselling.Thread{OfficeID: 1, SeekerID: fmt.Sprintf("s%d", seeker), CounsellorID: holder}
	t.ID = fmt.Sprintf("t%d", seeker)
	return t
}

func TestMayInvite(t *testing.T) {
	g, err := live.NewGroup("g", leader)
	if err != nil {
		t.Fatal(err)
	}
	otherOffice := heldBy("c1", 9)
	otherOffice.OfficeID = 2
	for _, tc := range []struct {
		name  string
		c     counselling.Caller
		t     *counselling.Thread
		guest bool
		want  bool
	}{
		{"the counsellor invites the help-seeker of a conversation they hold", leader, heldBy("c1", 1), false, true},
		{"not of a conversation a colleague holds", leader, heldBy("c2", 1), false, false},
		{"not of a conversation in the queue", leader, heldBy("", 1), false, false},
		{"not a guest", leader, heldBy("c1", 1), true, false},
		{"not into another office's call", leader, otherOffice, false, false},
		{"a colleague does not invite to another's call", colleague, heldBy("c2", 1), false, false},
		{"a help-seeker invites nobody", seekerNo(1), heldBy("s1", 2), false, false},
		{"an admin invites nobody", admin, heldBy("a1", 1), false, false},
	} {
		if got := live.MayInvite(tc.c, g, tc.t, tc.guest); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if _, err := live.NewGroup("g2", seekerNo(1)); err == nil {
		t.Error("a help-seeker started a group call")
	}
	if _, err := live.NewGroup("g3", admin); err == nil {
		t.Error("an admin started a group call")
	}
}

func TestGroupCapacityJoinAndRemove(t *testing.T) {
	g, _ := live.NewGroup("g", leader)
	for n := 1; n <= 4; n++ {
		if err := g.Invite(leader, heldBy("c1", n), false); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Join(seekerNo(5)); !errors.Is(err, live.ErrGroupNotInvited) {
		t.Fatalf("someone not invited joined: %v", err)
	}
	if err := g.Join(supervisor); !errors.Is(err, live.ErrGroupNotInvited) {
		t.Fatalf("a supervisor joined a counsellor's group call: %v", err)
	}
	if err := g.Join(seekerNo(1)); !errors.Is(err, live.ErrGroupNoCounsellor) {
		t.Fatalf("a help-seeker joined before the counsellor: %v", err)
	}
	for _, c := range []counselling.Caller{leader, seekerNo(1), seekerNo(2), seekerNo(3)} {
		if err := g.Join(c); err != nil {
			t.Fatalf("%s could not join: %v", c.AccountID, err)
		}
	}
	if err := g.Join(seekerNo(1)); !errors.Is(err, live.ErrGroupAlreadyIn) {
		t.Fatalf("a participant took a second seat: %v", err)
	}
	if err := g.Join(seekerNo(4)); !errors.Is(err, live.ErrGroupFull) {
		t.Fatalf("a fifth joined: %v", err)
	}
	if got := len(g.Members()); got != live.GroupCapacity {
		t.Fatalf("%d in the call, want %d", got, live.GroupCapacity)
	}
	for _, c := range []counselling.Caller{seekerNo(1), colleague, supervisor} {
		if err := g.Remove(c, "s2"); !errors.Is(err, live.ErrGroupRemoveRule) {
			t.Errorf("%s removed a participant: %v", c.AccountID, err)
		}
	}
	if err := g.Remove(leader, "c1"); !errors.Is(err, live.ErrGroupRemoveRule) {
		t.Error("the counsellor removed themselves")
	}
	if err := g.Remove(leader, "s2"); err != nil {
		t.Fatal(err)
	}
	if g.In("s2") || g.Invited("s2") {
		t.Fatal("a removed participant kept their seat or invitation")
	}
	if err := g.Join(seekerNo(2)); !errors.Is(err, live.ErrGroupNotInvited) {
		t.Fatalf("a removed participant joined again: %v", err)
	}
	if err := g.Join(seekerNo(4)); err != nil {
		t.Fatalf("the freed seat was not taken: %v", err)
	}
	if g.Leave("s4") || g.In("s4") || !g.Invited("s4") || !g.In("s3") {
		t.Fatal("a help-seeker leaving ended the call, took the invitation or kept the seat")
	}
	if !g.Leave("c1") || len(g.Members()) != 0 {
		t.Fatalf("the counsellor left and %v stay in the call", g.Members())
	}
	if err := g.Join(seekerNo(3)); !errors.Is(err, live.ErrGroupNoCounsellor) {
		t.Fatalf("a help-seeker joined after the counsellor left: %v", err)
	}
	if !g.Invited("s3") {
		t.Fatal("the counsellor leaving took the invitations")
	}
}

func TestGroupInvitationsAreBounded(t *testing.T) {
	g, _ := live.NewGroup("g", leader)
	for n := 1; n <= live.GroupMaxInvites; n++ {
		if err := g.Invite(leader, heldBy("c1", n), false); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Invite(leader, heldBy("c1", 1), false); err != nil {
		t.Fatalf("inviting someone again: %v", err)
	}
	if err := g.Invite(leader, heldBy("c1", 99), false); !errors.Is(err, live.ErrGroupTooManyInvites) {
		t.Fatalf("invitation beyond the bound: %v", err)
	}
}
