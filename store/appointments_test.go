package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/store/storetest"
)

func publish(t *testing.T, db *storetest.DB, c counselling.Caller, in time.Duration, minutes int) string {
	t.Helper()
	s, err := counselling.NewSlot(db.Clock.Now().Add(in).UTC().Format(counselling.SlotStartLayout), fmt.Sprint(minutes), "chat", time.UTC, db.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	id, err := db.PublishSlot(context.Background(), c, s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Ten help-seekers book one slot at the same moment: exactly one wins, the
// other nine are told it is taken, and the slot is the winner's.
func TestTenClientsBookOneSlotExactlyOneWins(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	office, _ := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	c := staffCaller(t, db, office.ID, counselling.RoleCounsellor, "Counsellor Race")
	slot := publish(t, db, c, 24*time.Hour, 30)
	seekers := make([]counselling.Caller, 10)
	for i := range seekers {
		seekers[i] = seekerCaller(t, db, fmt.Sprintf("Racer %d", i), "")
	}
	errs := make([]error, len(seekers))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range seekers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = db.BookSlot(ctx, seekers[i], slot)
		}()
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("seekers %d and %d both booked the slot", winner, i)
		case err == nil:
			winner = i
		case err != counselling.ErrSlotTaken:
			t.Errorf("seeker %d: %v, want the slot taken", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("nobody booked the slot")
	}
	for i, s := range seekers {
		mine, err := db.SeekerAppointments(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if (i == winner) != (len(mine) == 1) {
			t.Errorf("seeker %d (winner %d) sees %d appointments", i, winner, len(mine))
		}
	}
	if n := db.Count(t, `SELECT count(*) FROM appointment_slots WHERE booked_at IS NOT NULL`); n != 1 {
		t.Errorf("%d booked slots, want 1", n)
	}
	if free, _ := db.BookableSlots(ctx, seekers[0]); len(free) != 0 {
		t.Errorf("the booked slot is still offered: %+v", free)
	}
}

func TestSlotsOfOneCounsellorDoNotOverlap(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	office, _ := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	c := staffCaller(t, db, office.ID, counselling.RoleCounsellor, "Counsellor One")
	other := staffCaller(t, db, office.ID, counselling.RoleCounsellor, "Counsellor Two")
	first := publish(t, db, c, 24*time.Hour, 60)
	at := func(in time.Duration, minutes int) counselling.Slot {
		s, err := counselling.NewSlot(db.Clock.Now().Add(in).UTC().Format(counselling.SlotStartLayout), fmt.Sprint(minutes), "video", time.UTC, db.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if _, err := db.PublishSlot(ctx, c, at(24*time.Hour+30*time.Minute, 60)); err != counselling.ErrSlotOverlap {
		t.Fatalf("an overlapping slot: %v", err)
	}
	if _, err := db.PublishSlot(ctx, c, at(23*time.Hour+30*time.Minute, 31)); err != counselling.ErrSlotOverlap {
		t.Fatalf("a slot reaching into another: %v", err)
	}
	if _, err := db.PublishSlot(ctx, c, at(25*time.Hour, 30)); err != nil {
		t.Fatalf("a slot right after another: %v", err)
	}
	if _, err := db.PublishSlot(ctx, other, at(24*time.Hour, 60)); err != nil {
		t.Fatalf("a colleague's slot at the same time: %v", err)
	}
	if _, err := db.CancelSlot(ctx, c, first); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PublishSlot(ctx, c, at(24*time.Hour, 60)); err != nil {
		t.Fatalf("a slot in the time of a withdrawn one: %v", err)
	}
	seeker := seekerCaller(t, db, "Not Staff", "")
	if _, err := db.PublishSlot(ctx, seeker, at(48*time.Hour, 60)); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("a help-seeker published a slot: %v", err)
	}
}

func TestCancelTellsTheOtherSide(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	office, _ := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	c := staffCaller(t, db, office.ID, counselling.RoleCounsellor, "Counsellor One")
	seeker := seekerCaller(t, db, "Booker", "booker@example.org")
	stranger := seekerCaller(t, db, "Stranger", "")

	// The counsellor cancels: the help-seeker's page shows it, and a mail
	// is queued (after the one for the booking).
	one := publish(t, db, c, 24*time.Hour, 30)
	if err := db.BookSlot(ctx, seeker, one); err != nil {
		t.Fatal(err)
	}
	if n := db.Count(t, `SELECT count(*) FROM outbox WHERE kind = 'appointment-booked'`); n != 1 {
		t.Fatalf("%d booking mails", n)
	}
	if _, err := db.CancelSlot(ctx, stranger, one); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("a stranger cancelled: %v", err)
	}
	if _, err := db.CancelSlot(ctx, c, one); err != nil {
		t.Fatal(err)
	}
	mine, _ := db.SeekerAppointments(ctx, seeker)
	if len(mine) != 1 || mine[0].Status() != counselling.SlotCancelled || mine[0].CancelledBy != counselling.ByCounsellor {
		t.Fatalf("the help-seeker sees %+v", mine)
	}
	if n := db.Count(t, `SELECT count(*) FROM outbox WHERE kind = 'appointment-cancelled'`); n != 1 {
		t.Fatalf("%d cancellation mails", n)
	}
	if _, err := db.CancelSlot(ctx, c, one); err != counselling.ErrNotCancellable {
		t.Fatalf("cancelled twice: %v", err)
	}
	if err := db.BookSlot(ctx, stranger, one); err != counselling.ErrSlotGone {
		t.Fatalf("a cancelled booking was booked again: %v", err)
	}

	// The help-seeker cancels: the counsellor's page shows it; no mail.
	two := publish(t, db, c, 48*time.Hour, 30)
	if err := db.BookSlot(ctx, seeker, two); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CancelSlot(ctx, seeker, two); err != nil {
		t.Fatal(err)
	}
	slots, _ := db.CounsellorSlots(ctx, c)
	var seen bool
	for _, s := range slots {
		if s.ID == two {
			seen = s.Status() == counselling.SlotCancelled && s.CancelledBy == counselling.BySeeker
		}
	}
	if !seen {
		t.Fatalf("the counsellor's slots do not show the help-seeker's cancellation: %+v", slots)
	}
	if n := db.Count(t, `SELECT count(*) FROM outbox WHERE kind = 'appointment-cancelled'`); n != 1 {
		t.Fatalf("%d cancellation mails after the help-seeker cancelled", n)
	}
}

func TestAnAppointmentOpensItsChatWithoutTheQueue(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	office, _ := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	c := staffCaller(t, db, office.ID, counselling.RoleCounsellor, "Counsellor One")
	colleague := staffCaller(t, db, office.ID, counselling.RoleCounsellor, "Counsellor Two")
	seeker := seekerCaller(t, db, "Booker", "")
	slot := publish(t, db, c, time.Hour, 30)
	if _, err := db.OpenAppointment(ctx, seeker, slot); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("opened before booking: %v", err)
	}
	if err := db.BookSlot(ctx, seeker, slot); err != nil {
		t.Fatal(err)
	}
	if _, err := db.OpenAppointment(ctx, seeker, slot); err != counselling.ErrNotOpenYet {
		t.Fatalf("opened an hour early: %v", err)
	}
	db.Clock.Advance(56 * time.Minute)
	chatID, err := db.OpenAppointment(ctx, seeker, slot)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := db.OpenAppointment(ctx, c, slot); err != nil || again != chatID {
		t.Fatalf("the counsellor opened %q, %v; want the same chat %q", again, err, chatID)
	}
	if _, err := db.OpenAppointment(ctx, colleague, slot); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("a colleague opened it: %v", err)
	}
	ch, err := db.LiveChat(ctx, c, chatID)
	if err != nil || ch.Status != counselling.ChatRunning || ch.CounsellorID != c.AccountID {
		t.Fatalf("the appointment's chat %+v, %v", ch, err)
	}
	if queue, _ := db.LiveQueue(ctx, colleague); len(queue) != 0 {
		t.Fatalf("the appointment waits in the queue: %+v", queue)
	}
	if _, _, err := db.ChatSend(ctx, c, chatID, "c-1", "hello, on time"); err != nil {
		t.Fatal(err)
	}
	db.Clock.Advance(40 * time.Minute)
	if _, err := db.OpenAppointment(ctx, seeker, slot); err != counselling.ErrNotOpenYet {
		t.Fatalf("opened after its end: %v", err)
	}
}

// Appointments follow the chat transcripts' rule: once an appointment ended
// longer ago than the office keeps chat transcripts, nothing is kept of who
// booked whom and when; later appointments stay.
func TestOldAppointmentsArePurgedWithTheChatTranscripts(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	office, _ := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	c := staffCaller(t, db, office.ID, counselling.RoleCounsellor, "Counsellor Retention")
	seeker := seekerCaller(t, db, "Retained Robin", "")
	old := publish(t, db, c, time.Hour, 30)
	later := publish(t, db, c, 100*24*time.Hour, 30)
	for _, id := range []string{old, later} {
		if err := db.BookSlot(ctx, seeker, id); err != nil {
			t.Fatal(err)
		}
	}
	// Six months, the default, and a day after the first appointment.
	db.Clock.Advance(185 * 24 * time.Hour)
	dry := counts(t, db, true)
	if n := db.Count(t, `SELECT count(*) FROM appointment_slots`); n != 2 || dry[counselling.RuleChatTranscripts] != 1 {
		t.Fatalf("the dry run: %d slots left, %d counted", n, dry[counselling.RuleChatTranscripts])
	}
	if done := counts(t, db, false); done[counselling.RuleChatTranscripts] != 1 {
		t.Fatalf("the purge counted %d", done[counselling.RuleChatTranscripts])
	}
	if n := db.Count(t, `SELECT count(*) FROM appointment_slots WHERE id = ?`, old); n != 0 {
		t.Error("an appointment older than the chat transcripts' rule is kept")
	}
	if n := db.Count(t, `SELECT count(*) FROM appointment_slots WHERE id = ?`, later); n != 1 {
		t.Error("a later appointment was purged")
	}
}
