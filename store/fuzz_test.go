package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/store/storetest"
)

// Whatever a help-seeker writes that the office accepts comes back in their
// export exactly as written: sealed into the database, opened again, and
// through JSON and back without a character changed; in a conversation, and
// as their message in a group chat, beside an appointment they booked.
func FuzzExportRoundTrip(f *testing.F) {
	f.Add("Prüfungsangst", "Vor jeder Prüfung kann ich nicht schlafen.\nWas soll ich tun?", "a@example.org")
	f.Add("", "\"quotes\" and \\backslashes\\ and </script>", "")
	f.Add("emoji 🌊", "tabs\tand\r\nnewlines \u2028 \u00a0", "x@y.dk")
	f.Add(strings.Repeat("s", 200), strings.Repeat("long ", 4000), "")
	db := storetest.MustOpenDB(f)
	ctx := context.Background()
	office, err := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	if err != nil {
		f.Fatal(err)
	}
	sup := staffCaller(f, db, office.ID, counselling.RoleSupervisor, "Fuzz Supervisor")
	mod := staffCaller(f, db, office.ID, counselling.RoleCounsellor, "Fuzz Moderator")
	n := 0
	f.Fuzz(func(t *testing.T, subject, body, email string) {
		n++
		reg := counselling.Registration{OfficeID: office.ID, Nickname: fmt.Sprintf("writer %d", n), Password: "unused here",
			AcceptTerms: true, Profile: counselling.Profile{Email: email}}
		if reg.Validate() != nil {
			reg.Email = ""
		}
		id, err := db.CreateSeeker(ctx, reg, "$argon2id$fake")
		if err != nil {
			t.Fatal(err)
		}
		seeker := counselling.Caller{AccountID: id, Kind: counselling.KindSeeker, OfficeID: office.ID}
		e := counselling.Enquiry{Theme: "anxiety", Subject: subject, Body: body}
		if _, err := db.CreateThread(ctx, seeker, e, false); err != nil {
			if counselling.ErrorCode(err) != counselling.EInvalid {
				t.Fatalf("an enquiry failed for another reason than its content: %v", err)
			}
			return
		}
		// Each round has a group chat of its own, running now, and a slot
		// of the moderator's to book.
		at := func(d time.Duration) string { return db.Clock.Now().Add(d).UTC().Format(counselling.SlotStartLayout) }
		g, err := counselling.NewGroupChat("Fuzz group", "Be kind.", at(time.Hour), at(2*time.Hour), "2", mod.AccountID, time.UTC, db.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		group, err := db.ScheduleGroup(ctx, sup, g)
		if err != nil {
			t.Fatal(err)
		}
		slot, err := counselling.NewSlot(at(3*time.Hour), "30", "video", time.UTC, db.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		slotID, err := db.PublishSlot(ctx, mod, slot)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.BookSlot(ctx, seeker, slotID); err != nil {
			t.Fatal(err)
		}
		db.Clock.Advance(61 * time.Minute)
		if err := db.JoinGroup(ctx, seeker, group, true); err != nil {
			t.Fatal(err)
		}
		said := db.SayInGroup(ctx, seeker, group, body)
		if said != nil && counselling.ErrorCode(said) != counselling.EInvalid {
			t.Fatalf("a group message failed for another reason than its content: %v", said)
		}
		export, err := db.Export(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(export)
		if err != nil {
			t.Fatal(err)
		}
		var back counselling.Export
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatalf("the export is no JSON its reader can load: %v", err)
		}
		if len(back.Threads) != 1 || len(back.Threads[0].Messages) != 1 {
			t.Fatalf("export holds %d threads", len(back.Threads))
		}
		if got := back.Threads[0].Messages[0].Body; got != body {
			t.Fatalf("body written %q, exported %q", body, got)
		}
		if got := back.Threads[0].Subject; got != strings.TrimSpace(subject) {
			t.Fatalf("subject written %q, exported %q", subject, got)
		}
		if back.Profile.Email != strings.TrimSpace(reg.Email) {
			t.Fatalf("email given %q, exported %q", reg.Email, back.Profile.Email)
		}
		if !reflect.DeepEqual(back.Threads, export.Threads) {
			t.Fatalf("JSON round trip changed the threads")
		}
		if len(back.GroupChats) != 1 || len(back.Appointments) != 1 {
			t.Fatalf("export holds %d group chats and %d appointments", len(back.GroupChats), len(back.Appointments))
		}
		if said == nil && (len(back.GroupChats[0].Messages) != 1 || back.GroupChats[0].Messages[0].Body != body) {
			t.Fatalf("group message written %q, exported %+v", body, back.GroupChats[0].Messages)
		}
		if !reflect.DeepEqual(back.GroupChats, export.GroupChats) || !reflect.DeepEqual(back.Appointments, export.Appointments) {
			t.Fatalf("JSON round trip changed the group chats or appointments")
		}
	})
}
