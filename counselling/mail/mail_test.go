package mail_test

import (
	"confidant/templates"
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/mail"
	"confidant/counselling/mail/mailtest"
	"confidant/store/storetest"
)

// enquiry registers a help-seeker with an email and opens an enquiry with
// notification on, which queues one confirmation mail.
func enquiry(t *testing.T, db *storetest.DB) {
	t.Helper()
	ctx := context.Background()
	office, _ := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	id, err := db.CreateSeeker(ctx, counselling.Registration{OfficeID: office.ID, Nickname: "Nightingale", AcceptTerms: true,
		Profile: counselling.Profile{Email: "nightingale@example.org"}}, "$x")
	if err != nil {
		t.Fatal(err)
	}
	caller := counselling.Caller{AccountID: id, Kind: counselling.KindSeeker, OfficeID: office.ID}
	if _, err := db.CreateThread(ctx, caller, counselling.Enquiry{Theme: "violence", Subject: "At home",
		Body: "My stepfather shouts every night"}, true); err != nil {
		t.Fatal(err)
	}
}

func worker(t *testing.T, db *storetest.DB, smtpURL string) *mail.Worker {
	sender, err := mail.ParseURL(smtpURL, "Confidant <no-reply@localhost>")
	if err != nil {
		t.Fatal(err)
	}
	if err := sender.SetOfficeURL("https://office.example:8443"); err != nil {
		t.Fatal(err)
	}
	return mail.NewWorker(db, sender, "https://office.example", translate, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func TestNotificationIsNeutral(t *testing.T) {
	db := storetest.MustOpenDB(t)
	smtp := mailtest.Start(t)
	enquiry(t, db)
	if sent, failed := worker(t, db, smtp.URL()).RunOnce(context.Background()); sent != 1 || failed != 0 {
		t.Fatalf("sent %d, failed %d; want 1, 0", sent, failed)
	}
	mails := smtp.Mails()
	if len(mails) != 1 || len(mails[0].To) != 1 || mails[0].To[0] != "nightingale@example.org" {
		t.Fatalf("mails = %+v", mails)
	}
	data := mails[0].Data
	for _, secret := range []string{"Nightingale", "nightingale", "violence", "Violence", "At home", "stepfather", "shouts"} {
		body := data[strings.Index(data, "\n\n"):]
		if strings.Contains(body, secret) || strings.Contains(headerLine(data, "Subject"), secret) {
			t.Errorf("the notification reveals %q:\n%s", secret, data)
		}
	}
	if !strings.Contains(data, "https://office.example/login") || !strings.Contains(data, "within 2 working days") {
		t.Errorf("the notification lacks the login link or answer time:\n%s", data)
	}
	if n := db.Count(t, `SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL AND recipient IS NULL`); n != 1 {
		t.Fatal("the address stays in the outbox after sending")
	}
}

func TestHeadersNameTheOfficeAndNoSoftware(t *testing.T) {
	db := storetest.MustOpenDB(t)
	smtp := mailtest.Start(t)
	enquiry(t, db)
	if sent, _ := worker(t, db, smtp.URL()).RunOnce(context.Background()); sent != 1 {
		t.Fatal("the notification was not sent")
	}
	data := smtp.Mails()[0].Data
	header := data[:strings.Index(data, "\n\n")]
	id := strings.TrimSpace(strings.TrimPrefix(headerLine(data, "Message-ID"), "Message-ID:"))
	if !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@office.example>") {
		t.Errorf("Message-ID %q does not name the office's domain", id)
	}
	if host, err := os.Hostname(); err == nil && host != "office.example" && strings.Contains(header, "@"+host+">") {
		t.Errorf("a header names the machine %q:\n%s", host, header)
	}
	for _, name := range []string{"User-Agent", "X-Mailer"} {
		if line := headerLine(data, name); line != "" {
			t.Errorf("the mail names its software: %s", line)
		}
	}
	if strings.Contains(strings.ToLower(header), "go-mail") {
		t.Errorf("the headers name the mail library:\n%s", header)
	}
	if line := headerLine(data, "Auto-Submitted"); strings.TrimSpace(line) != "Auto-Submitted: auto-generated" {
		t.Errorf("Auto-Submitted header is %q, want auto-generated", line)
	}
}

func headerLine(data, name string) string {
	for line := range strings.Lines(data) {
		if strings.HasPrefix(line, name+":") {
			return line
		}
	}
	return ""
}

func TestMailWaitsWhileTheServerIsDown(t *testing.T) {
	db := storetest.MustOpenDB(t)
	smtp := mailtest.Start(t)
	smtp.Stop()
	enquiry(t, db)
	w := worker(t, db, smtp.URL())
	if sent, failed := w.RunOnce(context.Background()); sent != 0 || failed != 1 {
		t.Fatalf("with the server down: sent %d, failed %d", sent, failed)
	}
	if n := db.Count(t, `SELECT count(*) FROM outbox WHERE sent_at IS NULL AND recipient IS NOT NULL AND attempts = 1`); n != 1 {
		t.Fatal("the failed mail is not kept queued")
	}
	smtp.Restart()
	if sent, _ := w.RunOnce(context.Background()); sent != 0 {
		t.Fatal("retried before its pause was over")
	}
	db.Clock.Advance(time.Minute)
	if sent, failed := w.RunOnce(context.Background()); sent != 1 || failed != 0 {
		t.Fatalf("after the server came back: sent %d, failed %d", sent, failed)
	}
	if len(smtp.Mails()) != 1 {
		t.Fatalf("%d mails received, want 1", len(smtp.Mails()))
	}
}

func TestMailGivenUpAfterSevenDays(t *testing.T) {
	db := storetest.MustOpenDB(t)
	smtp := mailtest.Start(t)
	smtp.Stop()
	enquiry(t, db)
	w := worker(t, db, smtp.URL())
	for range 400 {
		w.RunOnce(context.Background())
		db.Clock.Advance(time.Hour)
		if db.Count(t, `SELECT count(*) FROM outbox WHERE given_up_at IS NOT NULL`) == 1 {
			break
		}
	}
	if n := db.Count(t, `SELECT count(*) FROM outbox WHERE given_up_at IS NOT NULL AND recipient IS NULL`); n != 1 {
		t.Fatal("a mail undeliverable for seven days is not given up, or keeps its address")
	}
	if age := db.Clock.Now().Sub(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)); age < 7*24*time.Hour {
		t.Fatalf("given up after %v, before seven days", age)
	}
}

func TestBackoffGrowsToAnHour(t *testing.T) {
	if counselling.NoticeBackoff(1) != 30*time.Second || counselling.NoticeBackoff(2) != time.Minute {
		t.Fatal("backoff does not start at 30 s and double")
	}
	if counselling.NoticeBackoff(50) != time.Hour {
		t.Fatal("backoff is not capped at an hour")
	}
}

func translate(lang, id string, data map[string]any) string {
	return templates.Translate(lang, id, data, nil)
}
