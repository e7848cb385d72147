package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/store"
	"confidant/store/storetest"
)

func scheduleGroup(t *testing.T, db *storetest.DB, by counselling.Caller, moderator string, in time.Duration, size int) string {
	t.Helper()
	at := func(d time.Duration) string { return db.Clock.Now().Add(d).UTC().Format(counselling.SlotStartLayout) }
	g, err := counselling.NewGroupChat("Parents of teenagers", "Be kind. Nothing leaves the group.", at(in), at(in+time.Hour),
		fmt.Sprint(size), moderator, time.UTC, db.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	id, err := db.ScheduleGroup(context.Background(), by, g)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestGroupChatJoinWindowCapacityMuteAndRemove(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	office, _ := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	sup := staffCaller(t, db, office.ID, counselling.RoleSupervisor, "Supervisor Groups")
	mod := staffCaller(t, db, office.ID, counselling.RoleCounsellor, "Moderator Mia")
	adm := staffCaller(t, db, office.ID, counselling.RoleAdmin, "Admin Groups")
	if _, err := db.ScheduleGroup(ctx, mod, counselling.GroupChat{ModeratorID: mod.AccountID}); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("a counsellor scheduled a group: %v", err)
	}
	at := func(d time.Duration) string { return db.Clock.Now().Add(d).UTC().Format(counselling.SlotStartLayout) }
	g, _ := counselling.NewGroupChat("Parents", "Be kind.", at(time.Hour), at(2*time.Hour), "3", adm.AccountID, time.UTC, db.Clock.Now())
	if _, err := db.ScheduleGroup(ctx, sup, g); counselling.ErrorFields(err)["moderator"] == "" {
		t.Fatalf("an admin was made moderator: %v", err)
	}
	id := scheduleGroup(t, db, sup, mod.AccountID, time.Hour, 3)
	seekers := make([]counselling.Caller, 4)
	for i := range seekers {
		seekers[i] = seekerCaller(t, db, fmt.Sprintf("Group Seeker %d", i), "")
	}
	if err := db.JoinGroup(ctx, seekers[0], id, true); err != counselling.ErrGroupNotYet {
		t.Fatalf("joined before the start: %v", err)
	}
	db.Clock.Advance(61 * time.Minute)
	if err := db.JoinGroup(ctx, seekers[0], id, false); err != counselling.ErrGroupRules {
		t.Fatalf("joined without accepting the rules: %v", err)
	}
	for _, s := range seekers[:3] {
		if err := db.JoinGroup(ctx, s, id, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.JoinGroup(ctx, seekers[3], id, true); err != counselling.ErrGroupFull {
		t.Fatalf("a fourth joined a group of three: %v", err)
	}
	if n := db.Count(t, `SELECT count(*) FROM group_members`); n != 3 {
		t.Fatalf("%d members after a refused join", n)
	}
	if _, err := db.GroupChat(ctx, adm, id); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("an admin reads the group: %v", err)
	}

	if err := db.SayInGroup(ctx, seekers[0], id, "Hello, I am new here."); err != nil {
		t.Fatal(err)
	}
	if err := db.SayInGroup(ctx, mod, id, "Welcome, everyone."); err != nil {
		t.Fatal(err)
	}
	if err := db.ModerateGroup(ctx, seekers[1], id, 1, store.GroupMute); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("a participant muted another: %v", err)
	}
	if err := db.ModerateGroup(ctx, mod, id, 1, store.GroupMute); err != nil {
		t.Fatal(err)
	}
	if err := db.SayInGroup(ctx, seekers[0], id, "Can I still write?"); err != counselling.ErrGroupMuted {
		t.Fatalf("a muted participant wrote: %v", err)
	}
	v, err := db.GroupChat(ctx, seekers[0], id)
	if err != nil || len(v.Messages) != 2 || !v.Me.Muted {
		t.Fatalf("the muted participant's view: %+v, %v", v, err)
	}
	if err := db.ModerateGroup(ctx, mod, id, 2, store.GroupRemove); err != nil {
		t.Fatal(err)
	}
	v, err = db.GroupChat(ctx, seekers[1], id)
	if err != nil || v.Role != counselling.GroupRemoved || len(v.Messages) != 0 {
		t.Fatalf("the removed participant still reads: %+v, %v", v, err)
	}
	if err := db.SayInGroup(ctx, seekers[1], id, "still here?"); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("a removed participant wrote: %v", err)
	}
	if err := db.JoinGroup(ctx, seekers[1], id, true); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("a removed participant joined again: %v", err)
	}
	// The removal made room for one more.
	if err := db.JoinGroup(ctx, seekers[3], id, true); err != nil {
		t.Fatal(err)
	}
	v, _ = db.GroupChat(ctx, mod, id)
	if len(v.Members) != 4 || !v.Members[0].Muted || !v.Members[1].Removed || v.Members[3].No != 4 {
		t.Fatalf("the moderator sees members %+v", v.Members)
	}
	if v.Messages[0].MemberNo != 1 || v.Messages[1].MemberNo != 0 {
		t.Fatalf("messages are not signed by number: %+v", v.Messages)
	}

	if err := db.EndGroup(ctx, mod, id); err != nil {
		t.Fatal(err)
	}
	if err := db.JoinGroup(ctx, seekers[2], id, true); err != nil {
		t.Fatalf("a participant's second join: %v", err)
	}
	if err := db.SayInGroup(ctx, seekers[2], id, "after the end"); err != counselling.ErrGroupFinished {
		t.Fatalf("wrote in an ended group: %v", err)
	}
	sizes, err := db.GroupSizes(ctx, office.ID, db.Clock.Now().Year())
	if err != nil || sizes["3-5"] != 1 {
		t.Fatalf("group sizes %v, %v", sizes, err)
	}
}

func TestGroupTranscriptsFollowTheChatRetention(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	office, _ := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	sup := staffCaller(t, db, office.ID, counselling.RoleSupervisor, "Supervisor Groups")
	id := scheduleGroup(t, db, sup, sup.AccountID, time.Hour, 5)
	seeker := seekerCaller(t, db, "Group Seeker", "")
	db.Clock.Advance(90 * time.Minute)
	if err := db.JoinGroup(ctx, seeker, id, true); err != nil {
		t.Fatal(err)
	}
	if err := db.SayInGroup(ctx, seeker, id, "a message kept six months"); err != nil {
		t.Fatal(err)
	}
	db.Clock.Advance(time.Hour)
	counts(t, db, false)
	if n := db.Count(t, `SELECT count(*) FROM group_facts WHERE size = '0-2'`); n != 1 {
		t.Fatalf("%d facts for the finished group", n)
	}
	if n := db.Count(t, `SELECT count(*) FROM group_messages`); n != 1 {
		t.Fatal("the transcript went before its time")
	}
	db.Clock.Advance(7 * 31 * 24 * time.Hour)
	if got := counts(t, db, true)[counselling.RuleChatTranscripts]; got != 1 {
		t.Fatalf("dry run counts %d transcripts", got)
	}
	counts(t, db, false)
	if n := db.Count(t, `SELECT count(*) FROM group_messages`) + db.Count(t, `SELECT count(*) FROM group_chats`); n != 0 {
		t.Fatal("the group's transcript outlived the chat retention")
	}
	if n := db.Count(t, `SELECT count(*) FROM group_facts`); n != 1 {
		t.Fatal("the anonymous fact went with the transcript")
	}
}
