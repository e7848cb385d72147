package store_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/store/storetest"
)

// inContact gives the help-seeker a mail conversation that the counsellor
// takes, on theme.
func inContact(t *testing.T, db *storetest.DB, seeker, c counselling.Caller, theme string) string {
	t.Helper()
	ctx := context.Background()
	id, err := db.CreateThread(ctx, seeker, counselling.Enquiry{Theme: theme, Body: "please listen"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Take(ctx, c, id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestOneOpenCallbackPerCounsellorAlsoUnderConcurrentRequests(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	seeker := seekerCaller(t, db, "Asking Anna", "")
	c := staffCaller(t, db, seeker.OfficeID, counselling.RoleCounsellor, "Counsellor One")
	inContact(t, db, seeker, c, "family")

	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Go(func() {
			_, err := db.RequestCallback(ctx, seeker, c.AccountID, counselling.ReachChat, "", "")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case err != counselling.ErrCallbackOpen:
			t.Errorf("a concurrent second request: %v", err)
		}
	}
	if ok != 1 || db.Count(t, `SELECT count(*) FROM callbacks`) != 1 {
		t.Fatalf("%d requests accepted, %d stored; want exactly one", ok, db.Count(t, `SELECT count(*) FROM callbacks`))
	}
	queue, err := db.CallbackQueue(ctx, c)
	if err != nil || len(queue) != 1 || queue[0].Seeker != "Asking Anna" || queue[0].Kind != counselling.ReachChat {
		t.Fatalf("call-back queue = %+v, %v", queue, err)
	}
	// Once withdrawn, the help-seeker may ask again.
	if err := db.RemoveCallback(ctx, seeker, queue[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RequestCallback(ctx, seeker, c.AccountID, counselling.ReachVideo, "", ""); err != nil {
		t.Fatalf("a new request after withdrawing: %v", err)
	}
}

func TestCallbackRefusalsChangeNothing(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	seeker := seekerCaller(t, db, "Asking Ben", "")
	c := staffCaller(t, db, seeker.OfficeID, counselling.RoleCounsellor, "Counsellor One")
	colleague := staffCaller(t, db, seeker.OfficeID, counselling.RoleCounsellor, "Counsellor Two")
	north, err := db.CreateOffice(ctx, "north", "North")
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := staffCaller(t, db, north.ID, counselling.RoleCounsellor, "Counsellor North")
	inContact(t, db, seeker, c, "family")

	for _, tc := range []struct {
		name         string
		counsellor   string
		kind, f, u   string
		want         error
		wantCodeOnly counselling.Code
	}{
		{"another office's counsellor", elsewhere.AccountID, "chat", "", "", counselling.ErrCallbackOtherOffice, ""},
		{"a counsellor not in contact", colleague.AccountID, "chat", "", "", counselling.ErrCallbackNotInContact, ""},
		{"an unknown id", "aaaaaaaaaaaaaaaaaaaaaaaaaa", "chat", "", "", counselling.ErrCallbackNotInContact, ""},
		{"a kind that is neither", c.AccountID, "phone", "", "", counselling.ErrCallbackKind, ""},
		{"a window that is over", c.AccountID, "chat", "08:00", "09:00", counselling.ErrCallbackWin, ""},
	} {
		_, err := db.RequestCallback(ctx, seeker, tc.counsellor, tc.kind, tc.f, tc.u)
		if err != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if n := db.Count(t, `SELECT count(*) FROM callbacks`); n != 0 {
		t.Fatalf("refused requests stored %d rows", n)
	}
	who, err := db.CallbackCounsellors(ctx, seeker)
	if err != nil || len(who) != 1 || who[0].Name != "Counsellor One" {
		t.Fatalf("counsellors offered: %+v, %v", who, err)
	}
	if _, err := db.RequestCallback(ctx, seeker, c.AccountID, "chat", "10:30", "12:00"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RequestCallback(ctx, seeker, c.AccountID, "video", "", ""); err != counselling.ErrCallbackOpen {
		t.Fatalf("second open request: %v", err)
	}
	if _, err := db.CallbackQueue(ctx, colleague); err != nil {
		t.Fatal(err)
	}
	own, _ := db.SeekerCallbacks(ctx, seeker)
	if _, err := db.CallbackFor(ctx, colleague, own[0].ID); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("a colleague loads someone else's call-back: %v", err)
	}
	if err := db.RemoveCallback(ctx, counselling.Caller{AccountID: colleague.AccountID, Kind: counselling.KindSeeker, OfficeID: seeker.OfficeID},
		own[0].ID); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("someone else removed the request: %v", err)
	}
}

func TestCallbackExpiresWithMailAndNoticeAndCanBeAskedAgain(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	seeker := seekerCaller(t, db, "Waiting Cleo", "cleo@example.org")
	c := staffCaller(t, db, seeker.OfficeID, counselling.RoleCounsellor, "Counsellor One")
	inContact(t, db, seeker, c, "family")
	id, err := db.RequestCallback(ctx, seeker, c.AccountID, counselling.ReachChat, "", "")
	if err != nil {
		t.Fatal(err)
	}
	before := db.Count(t, `SELECT count(*) FROM outbox WHERE kind = 'callback-expired'`)

	db.Clock.Advance(counselling.DefaultCallbackExpiryHours*time.Hour - time.Second)
	if r, err := db.CallbackFor(ctx, c, id); err != nil || r.Expired {
		t.Fatalf("a second before expiry: %+v, %v", r, err)
	}
	db.Clock.Advance(time.Second)
	// At its expiry time the request is gone from the queue and cannot be
	// answered, before any sweep marked it.
	if q, _ := db.CallbackQueue(ctx, c); len(q) != 0 {
		t.Fatalf("an expired request stays in the queue: %+v", q)
	}
	if _, err := db.CallbackFor(ctx, c, id); err != counselling.ErrCallbackGone {
		t.Fatalf("calling back an expired request: %v", err)
	}
	if _, err := db.AnswerCallback(ctx, seeker, id); err != counselling.ErrCallbackGone {
		t.Fatalf("answering an expired request: %v", err)
	}
	if n, _ := db.ExpiredCallbacks(ctx, seeker); n != 1 {
		t.Fatalf("the help-seeker's pages tell of %d expired requests, want 1", n)
	}
	n, err := db.ExpireCallbacks(ctx)
	if err != nil || n != 1 {
		t.Fatalf("expired %d, %v", n, err)
	}
	if got := db.Count(t, `SELECT count(*) FROM outbox WHERE kind = 'callback-expired'`); got != before+1 {
		t.Fatalf("%d expiry mails queued, want one", got-before)
	}
	if n, _ := db.ExpireCallbacks(ctx); n != 0 {
		t.Fatal("a request expired twice")
	}
	// The help-seeker may ask again while the old notice stands.
	if _, err := db.RequestCallback(ctx, seeker, c.AccountID, counselling.ReachChat, "", ""); err != nil {
		t.Fatalf("a new request after expiry: %v", err)
	}
	if err := db.RemoveCallback(ctx, seeker, id); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.ExpiredCallbacks(ctx, seeker); n != 0 {
		t.Fatal("a dismissed notice stays")
	}
}

func TestCallbackWithoutAddressSendsNoMail(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	seeker := seekerCaller(t, db, "No Mail Dan", "")
	c := staffCaller(t, db, seeker.OfficeID, counselling.RoleCounsellor, "Counsellor One")
	inContact(t, db, seeker, c, "family")
	if _, err := db.RequestCallback(ctx, seeker, c.AccountID, counselling.ReachChat, "", ""); err != nil {
		t.Fatal(err)
	}
	db.Clock.Advance(25 * time.Hour)
	if n, err := db.ExpireCallbacks(ctx); err != nil || n != 1 {
		t.Fatalf("expired %d, %v", n, err)
	}
	if n := db.Count(t, `SELECT count(*) FROM outbox`); n != 0 {
		t.Fatalf("%d mails queued for someone without an address", n)
	}
}

func TestAnsweredCallbackOpensARunningChatCountedWithItsWait(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	seeker := seekerCaller(t, db, "Answered Eve", "")
	c := staffCaller(t, db, seeker.OfficeID, counselling.RoleCounsellor, "Counsellor One")
	inContact(t, db, seeker, c, "anxiety")
	id, err := db.RequestCallback(ctx, seeker, c.AccountID, counselling.ReachVideo, "", "")
	if err != nil {
		t.Fatal(err)
	}
	db.Clock.Advance(20 * time.Minute)
	chatID, err := db.AnswerCallback(ctx, seeker, id)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := db.LiveChat(ctx, c, chatID)
	if err != nil || ch.Status != counselling.ChatRunning || ch.CounsellorID != c.AccountID || ch.ThemeSlug != "anxiety" {
		t.Fatalf("the call-back's chat: %+v, %v", ch, err)
	}
	if q, _ := db.LiveQueue(ctx, c); len(q) != 0 {
		t.Fatalf("the call-back's chat waits in the live queue: %+v", q)
	}
	if n := db.Count(t, `SELECT count(*) FROM contact_facts WHERE channel = 'video' AND wait = '15-60m'`); n != 1 {
		t.Fatalf("facts of channel video waiting 15-60m: %d, want 1", n)
	}
	if _, err := db.AnswerCallback(ctx, seeker, id); err != counselling.ErrCallbackGone {
		t.Fatalf("answered twice: %v", err)
	}
}

func TestInvitationNeedsConsentToTheCurrentText(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	seeker := seekerCaller(t, db, "Invited Finn", "")
	other := seekerCaller(t, db, "Never Spoken", "")
	c := staffCaller(t, db, seeker.OfficeID, counselling.RoleCounsellor, "Counsellor One")
	inContact(t, db, seeker, c, "family")
	colleague := staffCaller(t, db, seeker.OfficeID, counselling.RoleCounsellor, "Counsellor Two")
	inContact(t, db, other, colleague, "family")
	if err := db.SetContactConsent(ctx, other, true); err != nil {
		t.Fatal(err)
	}

	if list, err := db.OutreachCandidates(ctx, c); err != nil || len(list) != 0 {
		t.Fatalf("without consent the listing shows %+v, %v", list, err)
	}
	if _, err := db.MayInvite(ctx, c, seeker.AccountID); err != counselling.ErrInviteNoConsent {
		t.Fatalf("inviting without consent: %v", err)
	}
	if _, err := db.OpenInvitedChat(ctx, seeker, c.AccountID, counselling.ReachChat); err != counselling.ErrInviteNoConsent {
		t.Fatalf("opening an invited chat without consent: %v", err)
	}
	if err := db.SetContactConsent(ctx, seeker, true); err != nil {
		t.Fatal(err)
	}
	consent, _ := db.ContactConsent(ctx, seeker)
	if consent.Version != counselling.ContactConsentVersion || !consent.GivenAt.Equal(db.Clock.Now().Truncate(time.Second)) {
		t.Fatalf("consent recorded as %+v", consent)
	}
	list, err := db.OutreachCandidates(ctx, c)
	if err != nil || len(list) != 1 || list[0].Nickname != "Invited Finn" {
		t.Fatalf("with consent the listing shows %+v, %v", list, err)
	}
	// Consent covers the counsellors spoken with, not the whole office.
	if _, err := db.MayInvite(ctx, c, other.AccountID); err != counselling.ErrInviteNoConsent {
		t.Fatalf("inviting someone never spoken with: %v", err)
	}
	if nick, err := db.MayInvite(ctx, c, seeker.AccountID); err != nil || nick != "Invited Finn" {
		t.Fatalf("inviting with consent: %q, %v", nick, err)
	}
	// A consent to an older text does not count.
	if err := db.WriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE contact_consents SET version = ? WHERE account_id = ?`, counselling.ContactConsentVersion-1, seeker.AccountID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MayInvite(ctx, c, seeker.AccountID); err != counselling.ErrInviteNoConsent {
		t.Fatalf("inviting under an older consent: %v", err)
	}
	if err := db.SetContactConsent(ctx, seeker, true); err != nil {
		t.Fatal(err)
	}
	chatID, err := db.OpenInvitedChat(ctx, seeker, c.AccountID, counselling.ReachChat)
	if err != nil {
		t.Fatal(err)
	}
	if ch, err := db.LiveChat(ctx, seeker, chatID); err != nil || ch.Status != counselling.ChatRunning || ch.CounsellorID != c.AccountID {
		t.Fatalf("the invited chat: %+v, %v", ch, err)
	}
	// Withdrawn, it opens nothing more.
	if err := db.SetContactConsent(ctx, seeker, false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.OpenInvitedChat(ctx, seeker, c.AccountID, counselling.ReachChat); err != counselling.ErrInviteNoConsent {
		t.Fatalf("opening an invited chat after withdrawal: %v", err)
	}
	if list, _ := db.OutreachCandidates(ctx, c); len(list) != 0 {
		t.Fatalf("after withdrawal the listing shows %+v", list)
	}
}

func TestCallbackExpirySettingIsTheAdminsOnly(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	seeker := seekerCaller(t, db, "Setting Gus", "")
	admin := staffCaller(t, db, seeker.OfficeID, counselling.RoleAdmin, "Admin")
	c := staffCaller(t, db, seeker.OfficeID, counselling.RoleCounsellor, "Counsellor One")
	if err := db.SetCallbackExpiryHours(ctx, c, 2); err == nil {
		t.Fatal("a counsellor changed the office's call-back expiry")
	}
	if err := db.SetCallbackExpiryHours(ctx, admin, 0); counselling.ErrorFields(err)["callback_expiry_hours"] == "" {
		t.Fatalf("0 hours: %v", err)
	}
	if err := db.SetCallbackExpiryHours(ctx, admin, 2); err != nil {
		t.Fatal(err)
	}
	if h, _ := db.CallbackExpiryHours(ctx, seeker.OfficeID); h != 2 {
		t.Fatalf("expiry setting %d, want 2", h)
	}
	inContact(t, db, seeker, c, "family")
	id, err := db.RequestCallback(ctx, seeker, c.AccountID, counselling.ReachChat, "", "")
	if err != nil {
		t.Fatal(err)
	}
	db.Clock.Advance(2 * time.Hour)
	if _, err := db.CallbackFor(ctx, c, id); err != counselling.ErrCallbackGone {
		t.Fatalf("after the office's 2 hours: %v", err)
	}
}

func TestExportHoldsTheConsentAndTheCallbackRequests(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	seeker := seekerCaller(t, db, "Exporting Ivy", "")
	c := staffCaller(t, db, seeker.OfficeID, counselling.RoleCounsellor, "Counsellor One")
	inContact(t, db, seeker, c, "family")
	// The store's clock shows 10:00 UTC, 11:00 in the office's time zone,
	// Europe/Berlin, in which the window is meant.
	if _, err := db.RequestCallback(ctx, seeker, c.AccountID, counselling.ReachChat, "11:30", "12:00"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetContactConsent(ctx, seeker, true); err != nil {
		t.Fatal(err)
	}
	out, err := db.Export(ctx, seeker.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	r := out.Reach
	if r.ContactConsent == nil || r.ContactConsent.Version != counselling.ContactConsentVersion || len(r.Callbacks) != 1 ||
		r.Callbacks[0].Counsellor != "Counsellor One" || r.Callbacks[0].WindowFrom == nil || r.Callbacks[0].WindowFrom.UTC().Format("15:04") != "10:30" {
		t.Fatalf("export of reaching out: %+v", r)
	}
}
