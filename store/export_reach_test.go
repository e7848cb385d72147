package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/store"
	"confidant/store/storetest"
)

// The export holds every appointment the help-seeker booked, cancelled ones
// too, and of each group chat they joined their number there and their own
// messages, never another participant's message or anyone's nickname.
func TestExportHoldsAppointmentsAndOwnGroupMessages(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	office, _ := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	c := staffCaller(t, db, office.ID, counselling.RoleCounsellor, "Counsellor Export")
	sup := staffCaller(t, db, office.ID, counselling.RoleSupervisor, "Supervisor Export")
	me := seekerCaller(t, db, "Exporting Wren", "")
	other := seekerCaller(t, db, "Other Starling", "")

	booked := db.Clock.Now().Add(2 * time.Hour)
	kept := publish(t, db, c, 2*time.Hour, 45)
	dropped := publish(t, db, c, 5*time.Hour, 30)
	notMine := publish(t, db, c, 8*time.Hour, 30)
	for _, id := range []string{kept, dropped} {
		if err := db.BookSlot(ctx, me, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.BookSlot(ctx, other, notMine); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CancelSlot(ctx, me, dropped); err != nil {
		t.Fatal(err)
	}

	group := scheduleGroup(t, db, sup, c.AccountID, time.Hour, 5)
	db.Clock.Advance(61 * time.Minute)
	for _, s := range []counselling.Caller{other, me} {
		if err := db.JoinGroup(ctx, s, group, true); err != nil {
			t.Fatal(err)
		}
	}
	for _, say := range []struct {
		who  counselling.Caller
		body string
	}{{other, "Someone else's worry"}, {me, "My first line"}, {c, "The moderator's welcome"}, {me, "My second line"}} {
		if err := db.SayInGroup(ctx, say.who, group, say.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.ModerateGroup(ctx, c, group, 2, store.GroupMute); err != nil {
		t.Fatal(err)
	}

	out, err := db.Export(ctx, me.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Appointments) != 2 {
		t.Fatalf("the export holds %d appointments, want the 2 booked: %+v", len(out.Appointments), out.Appointments)
	}
	first, second := out.Appointments[0], out.Appointments[1]
	if first.Counsellor != "Counsellor Export" || first.Minutes != 45 || first.Kind != counselling.SlotChat ||
		first.Status != counselling.SlotBooked || first.BookedAt.IsZero() || first.CancelledAt != nil ||
		!first.Start.Equal(booked.Truncate(time.Minute)) {
		t.Errorf("the booked appointment: %+v", first)
	}
	if second.Status != counselling.SlotCancelled || second.CancelledBy != counselling.BySeeker || second.CancelledAt == nil {
		t.Errorf("the cancelled appointment: %+v", second)
	}

	if len(out.GroupChats) != 1 {
		t.Fatalf("the export holds %d group chats: %+v", len(out.GroupChats), out.GroupChats)
	}
	g := out.GroupChats[0]
	if g.Theme != "Parents of teenagers" || g.ParticipantNo != 2 || !g.Muted || g.RemovedAt != nil || g.JoinedAt.IsZero() ||
		len(g.Messages) != 2 || g.Messages[0].Body != "My first line" || g.Messages[1].Body != "My second line" {
		t.Fatalf("the group chat in the export: %+v", g)
	}
	raw, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, never := range []string{"Someone else's worry", "The moderator's welcome", "Other Starling"} {
		if strings.Contains(string(raw), never) {
			t.Errorf("the export holds %q", never)
		}
	}

	// Someone who booked nothing and joined nothing gets empty lists, not
	// missing ones.
	lone := seekerCaller(t, db, "Lone Finch", "")
	empty, err := db.Export(ctx, lone.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = json.Marshal(empty)
	if !strings.Contains(string(raw), `"appointments":[]`) || !strings.Contains(string(raw), `"group_chats":[]`) {
		t.Fatalf("an empty export: %s", raw)
	}
}
