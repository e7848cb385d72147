package store_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/store/storetest"
)

func guestCaller(t *testing.T, db *storetest.DB, theme string) (counselling.Caller, string, string) {
	t.Helper()
	office, _ := db.OfficeBySlug(context.Background(), counselling.DefaultOfficeSlug)
	chatID, token, err := db.StartGuestChat(context.Background(), office.ID, theme, "en")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := db.Session(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	if !sess.Guest || sess.Kind != counselling.KindSeeker || sess.TermsOutdated {
		t.Fatalf("guest session %+v", sess)
	}
	return counselling.CallerOf(sess), chatID, token
}

func TestGuestChatRunsAndEndsWithItsSession(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	guest, chatID, token := guestCaller(t, db, "anxiety")
	c := staffCaller(t, db, guest.OfficeID, counselling.RoleCounsellor, "Counsellor One")

	if _, _, err := db.ChatSend(ctx, c, chatID, "c-1", "too early"); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("a counsellor wrote in a chat nobody accepted: %v", err)
	}
	if _, _, err := db.ChatSend(ctx, guest, chatID, "g-1", "I cannot sleep"); err != nil {
		t.Fatal(err)
	}
	queue, err := db.LiveQueue(ctx, c)
	if err != nil || len(queue) != 1 || queue[0].FirstMessage != "I cannot sleep" || queue[0].ThemeSlug != "anxiety" {
		t.Fatalf("live queue = %+v, %v", queue, err)
	}
	in, err := db.Inbox(ctx, c, "", "")
	if err != nil || len(in.Queue) != 0 {
		t.Fatalf("the mail queue lists a chat: %+v, %v", in.Queue, err)
	}
	ch, err := db.LiveChat(ctx, guest, chatID)
	if err != nil || ch.Place != 1 || ch.Status != counselling.ChatWaiting || !ch.Guest {
		t.Fatalf("waiting chat = %+v, %v", ch, err)
	}
	db.Clock.Advance(3 * time.Minute)
	if err := db.AcceptChat(ctx, c, chatID); err != nil {
		t.Fatal(err)
	}
	m, dup, err := db.ChatSend(ctx, c, chatID, "c-1", "I am here")
	if err != nil || dup || m.Seq != 2 {
		t.Fatalf("counsellor's message = %+v dup=%v, %v", m, dup, err)
	}
	again, dup, err := db.ChatSend(ctx, c, chatID, "c-1", "I am here")
	if err != nil || !dup || again.Seq != 2 {
		t.Fatalf("the same message sent again = %+v dup=%v, %v", again, dup, err)
	}
	if n := db.Count(t, `SELECT count(*) FROM messages WHERE thread_id = ?`, chatID); n != 2 {
		t.Fatalf("%d messages stored, want 2", n)
	}
	since, err := db.ChatSince(ctx, guest, chatID, 1)
	if err != nil || len(since.Messages) != 1 || since.Messages[0].Body != "I am here" || since.Messages[0].Author != "Counsellor One" {
		t.Fatalf("messages after 1 = %+v, %v", since, err)
	}
	if _, err := db.SeekerThreads(ctx, guest); err != nil {
		t.Fatal(err)
	}
	db.Clock.Advance(20 * time.Minute)
	if err := db.EndChat(ctx, guest, chatID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(ctx, token); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("the guest's session outlived the chat: %v", err)
	}
	if _, _, err := db.ChatSend(ctx, c, chatID, "c-2", "still there?"); counselling.ErrorCode(err) != counselling.EConflict {
		t.Fatalf("a message reached an ended chat: %v", err)
	}
	if n := db.Count(t, `SELECT count(*) FROM contact_facts WHERE channel = 'chat' AND wait = '1-5m' AND duration = '10-30m'
		AND closed = 1 AND seeker_messages = 1 AND counsellor_messages = 1`); n != 1 {
		t.Fatal("the chat's anonymous fact is not channel chat, waited 1-5m, ran 10-30m, closed, one message each side")
	}
	if n := db.Count(t, `SELECT count(*) FROM fact_tallies WHERE (dimension = 'chat_wait' AND value = '1-5m')
		OR (dimension = 'chat_duration' AND value = '10-30m') OR (dimension = 'channel' AND value = 'chat')`); n != 3 {
		t.Fatalf("%d of the chat's tallies found, want 3", n)
	}
}

func TestFirstAcceptWins(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	guest, chatID, _ := guestCaller(t, db, "family")
	a := staffCaller(t, db, guest.OfficeID, counselling.RoleCounsellor, "Alex Amsel")
	b := staffCaller(t, db, guest.OfficeID, counselling.RoleSupervisor, "Bea Berger")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, c := range []counselling.Caller{a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = db.AcceptChat(ctx, c, chatID) }()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch counselling.ErrorCode(err) {
		case "":
			won++
		case counselling.EConflict:
		default:
			t.Fatalf("accept: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d counsellors accepted the chat, want 1 (%v)", won, errs)
	}
	seeker := seekerCaller(t, db, "Other Writer", "")
	if err := db.AcceptChat(ctx, seeker, chatID); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("a help-seeker accepted a chat: %v", err)
	}
	if _, err := db.LiveChat(ctx, seeker, chatID); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("another help-seeker read the chat: %v", err)
	}
}

func TestChatGoesBackToTheQueueWithItsTranscript(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	seeker := seekerCaller(t, db, "Night Writer", "")
	chatID, err := db.StartChat(ctx, seeker, "depression")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := db.StartChat(ctx, seeker, "family"); again != chatID {
		t.Fatal("a second Start chat queued the help-seeker twice")
	}
	a := staffCaller(t, db, seeker.OfficeID, counselling.RoleCounsellor, "Alex Amsel")
	b := staffCaller(t, db, seeker.OfficeID, counselling.RoleCounsellor, "Bea Berger")
	if err := db.AcceptChat(ctx, a, chatID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.ChatSend(ctx, seeker, chatID, "s-1", "hello"); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.RequeueChat(ctx, chatID, b.AccountID); err != nil || ok {
		t.Fatalf("a chat was handed back for someone who does not hold it: %v %v", ok, err)
	}
	if ok, err := db.RequeueChat(ctx, chatID, a.AccountID); err != nil || !ok {
		t.Fatalf("requeue: %v %v", ok, err)
	}
	if _, err := db.LiveChat(ctx, a, chatID); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("the former counsellor still reads the chat: %v", err)
	}
	if err := db.AcceptChat(ctx, b, chatID); err != nil {
		t.Fatal(err)
	}
	ch, err := db.LiveChat(ctx, b, chatID)
	if err != nil || len(ch.Messages) != 1 || ch.Messages[0].Body != "hello" {
		t.Fatalf("the new counsellor sees %+v, %v", ch, err)
	}
	list, err := db.SeekerThreads(ctx, seeker)
	if err != nil || len(list) != 1 || list[0].Channel != counselling.ChannelChat {
		t.Fatalf("help-seeker's list = %+v, %v", list, err)
	}
}

func TestGuestDataGoesWithTheTranscriptRetention(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	const marker = "marker-7f3a-transcript"
	guest, chatID, _ := guestCaller(t, db, "loneliness")
	c := staffCaller(t, db, guest.OfficeID, counselling.RoleCounsellor, "Alex Amsel")
	if err := db.AcceptChat(ctx, c, chatID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.ChatSend(ctx, guest, chatID, "g-1", marker); err != nil {
		t.Fatal(err)
	}
	for where, content := range db.Stored(t) {
		if bytes.Contains(content, []byte(marker)) {
			t.Fatalf("%s holds the chat message in clear", where)
		}
	}
	if err := db.EndChat(ctx, c, chatID); err != nil {
		t.Fatal(err)
	}
	db.Clock.Advance(5 * 30 * 24 * time.Hour)
	if c := counts(t, db, false); c[counselling.RuleChatTranscripts] != 0 {
		t.Fatalf("a transcript went before six months: %d", c[counselling.RuleChatTranscripts])
	}
	db.Clock.Advance(40 * 24 * time.Hour)
	if c := counts(t, db, true); c[counselling.RuleChatTranscripts] != 1 {
		t.Fatalf("dry run counts %d transcripts, want 1", c[counselling.RuleChatTranscripts])
	}
	if c := counts(t, db, false); c[counselling.RuleChatTranscripts] != 1 || c[counselling.RuleMailThreads] != 0 {
		t.Fatalf("purge counts %v", c)
	}
	if n := db.Count(t, `SELECT count(*) FROM accounts WHERE id = ?`, guest.AccountID); n != 0 {
		t.Fatal("the guest's account and data key outlived the transcript")
	}
	if n := db.Count(t, `SELECT count(*) FROM messages WHERE thread_id = ?`, chatID); n != 0 {
		t.Fatal("the transcript outlived its retention")
	}
	if n := db.Count(t, `SELECT count(*) FROM contact_facts WHERE channel = 'chat'`); n != 1 {
		t.Fatal("the anonymous fact went with the transcript")
	}
}
