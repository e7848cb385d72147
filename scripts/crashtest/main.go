// Command crashtest proves that the office loses nothing it acknowledged when
// its process dies. It builds the real binary, drives it with help-seekers
// posting messages, a counsellor posting replies and live-chat messages over
// the chat socket, records every message the office acknowledged, and kills
// the process with SIGKILL at random moments (-kills times), restarting it
// each time. After every kill the database passes SQLite's integrity and
// foreign-key checks, and after every restart each acknowledged message is in
// its writer's export exactly once, decrypted. The mail sink refuses to take
// mail during each round's load, so the mails the replies queued are still in
// the outbox when the process dies; after the restart every one of them is
// delivered, once; at the end the outbox has delivered every mail. During the load a backup is taken, restored into a
// new folder and opened by a second office. Last, with -full-disk (root
// only: it mounts a small tmpfs; checked before the first kill), a full disk makes writes fail with a clear
// message while reads keep working, and writes work again once space
// returns, without a restart.
//
//	go run ./scripts/crashtest -kills 100
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"confidant/counselling"
	"confidant/scripts/office"

	_ "github.com/mattn/go-sqlite3"
)

func main() {
	kills := flag.Int("kills", 100, "how many times the office is killed")
	seekers := flag.Int("seekers", 3, "help-seekers writing at the same time")
	fullDisk := flag.Bool("full-disk", true, "also run the full-disk check (needs root to mount a tmpfs)")
	flag.Parse()
	start := time.Now()
	if *fullDisk && os.Geteuid() != 0 {
		// Checked before the kills, so that a run of many minutes does not
		// end in this refusal.
		fmt.Fprintln(os.Stderr, "crashtest: the full-disk step mounts a tmpfs and needs root (CI runs it as root).\n"+
			"Run as root, or leave that step out: make crashtest FULLDISK=false (go run ./scripts/crashtest -full-disk=false).")
		os.Exit(2)
	}
	if err := run(*kills, *seekers, *fullDisk); err != nil {
		fmt.Fprintln(os.Stderr, "crashtest: FAIL:", err)
		os.Exit(1)
	}
	fmt.Printf("crashtest: ok in %s\n", time.Since(start).Round(time.Second))
}

// env is the test's world: the binary, the data folder, the mail sink, and
// the running office.
type env struct {
	work   string
	bin    string
	data   string
	addr   string
	base   string
	mail   *sink
	office *office.Office
}

func run(kills, nSeekers int, fullDisk bool) error {
	work, err := os.MkdirTemp("", "confidant-crashtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	e := &env{work: work, data: filepath.Join(work, "data")}
	if e.bin, err = office.Build(work); err != nil {
		return err
	}
	if e.mail, err = startSink(); err != nil {
		return err
	}
	defer e.mail.close()
	e.addr = office.FreeAddr()
	e.base = "http://" + e.addr

	// A counsellor is invited before the office first starts.
	invite, err := office.Invite(e.bin, e.data, e.base, "counsellor", "Crash Counsellor")
	if err != nil {
		return err
	}
	if err := e.start(); err != nil {
		return err
	}
	defer e.kill()

	counsellor := newClient(e)
	if _, err := counsellor.Enrol(invite, "a counsellor's long passphrase"); err != nil {
		return err
	}
	ledger := newLedger()
	var people []*seeker
	for i := range nSeekers {
		s := &seeker{client: newClient(e), nick: fmt.Sprintf("Crash Writer %d", i)}
		if err := s.Register(s.nick, "a help-seeker's long passphrase", fmt.Sprintf("writer%d@example.org", i)); err != nil {
			return err
		}
		if err := s.openThread(ledger); err != nil {
			return err
		}
		if err := counsellor.take(s.thread); err != nil {
			return err
		}
		people = append(people, s)
	}
	chat, err := startChat(e, counsellor, people[0])
	if err != nil {
		return err
	}

	backupAt := kills / 2
	var backupDone bool
	for round := 1; round <= kills; round++ {
		// The sink takes no mail during the load, so the mails the
		// replies queue are still in the outbox when the process dies.
		e.mail.hold()
		replies := ledger.replies()
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for _, s := range people {
			wg.Go(func() { s.write(ctx, ledger) })
			wg.Go(func() { counsellor.answer(ctx, s, ledger) })
		}
		wg.Go(func() { chat.talk(ctx, ledger) })
		if round == backupAt {
			if err := e.backupAndRestore(people[0], ledger); err != nil {
				stop()
				return fmt.Errorf("round %d: %w", round, err)
			}
			backupDone = true
		}
		time.Sleep(time.Duration(200+rand.IntN(1300)) * time.Millisecond)
		// On a busy machine the first reply of a round can take longer
		// than the pause: the kill waits for one, so that every round
		// leaves mail in the outbox.
		if err := waitFor(10*time.Second, func() bool { return ledger.replies() > replies }); err != nil {
			stop()
			return fmt.Errorf("round %d: no counsellor reply was acknowledged within 10 s", round)
		}
		e.office.Kill()
		stop()
		wg.Wait()

		if err := checkDatabase(filepath.Join(e.data, "confidant.db")); err != nil {
			return fmt.Errorf("round %d, after the kill: %w", round, err)
		}
		queued, err := unsentMail(filepath.Join(e.data, "confidant.db"))
		if err != nil {
			return fmt.Errorf("round %d, after the kill: %w", round, err)
		}
		if len(queued) == 0 {
			return fmt.Errorf("round %d: no mail was waiting in the outbox at the kill, so the round proves nothing about delivery", round)
		}
		mailsBefore := e.mail.count()
		e.mail.release()
		if err := e.start(); err != nil {
			return fmt.Errorf("round %d: %w", round, err)
		}
		for _, s := range people {
			if err := s.checkExport(ledger); err != nil {
				return fmt.Errorf("round %d: %w", round, err)
			}
		}
		if err := e.queuedDelivered(queued, mailsBefore); err != nil {
			return fmt.Errorf("round %d: %w", round, err)
		}
		fmt.Printf("round %3d: killed and restarted; %d acknowledged messages (%s) all present once; %d mails queued at the kill delivered once after the restart (%d mails)\n",
			round, ledger.total(), ledger.kinds(), len(queued), e.mail.count())
	}
	if !backupDone && kills > 0 {
		if err := e.backupAndRestore(people[0], ledger); err != nil {
			return err
		}
	}
	if err := e.outboxDelivers(); err != nil {
		return err
	}
	fmt.Printf("outbox: every mail delivered (%d received)\n", e.mail.count())
	e.kill()
	if fullDisk {
		return e.fullDisk()
	}
	return nil
}

// start runs the office and waits until it answers.
func (e *env) start() (err error) {
	e.office, err = e.startOn(e.data, e.addr)
	return err
}

func (e *env) startOn(data, addr string) (*office.Office, error) {
	return office.Start(e.bin, data, addr, "--smtp", "smtp://"+e.mail.addr)
}

func (e *env) kill() {
	if e.office != nil {
		e.office.Kill()
	}
}

// checkDatabase runs SQLite's own checks on the database of a stopped office.
func checkDatabase(path string) error {
	db, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=1")
	if err != nil {
		return err
	}
	defer db.Close()
	var result string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&result); err != nil || result != "ok" {
		return fmt.Errorf("integrity_check: %q %v", result, err)
	}
	rows, err := db.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		return errors.New("foreign_key_check found rows that point nowhere")
	}
	return rows.Err()
}

// backupAndRestore takes a backup while the office is under load, restores
// it into a new folder with the key files, starts a second office on it and
// finds the help-seeker's messages acknowledged before the backup began.
func (e *env) backupAndRestore(s *seeker, l *ledger) error {
	before := l.snapshot(s.nick)
	file := filepath.Join(e.work, "backup.db")
	if out, err := exec.Command(e.bin, "backup", file, "--data", e.data).CombinedOutput(); err != nil {
		return fmt.Errorf("backup during the load: %v: %s", err, out)
	}
	restored := filepath.Join(e.work, "restored")
	if out, err := exec.Command(e.bin, "restore", file, "--data", restored).CombinedOutput(); err != nil {
		return fmt.Errorf("restore: %v: %s", err, out)
	}
	for _, k := range []string{"master.key", "index.key"} {
		b, err := os.ReadFile(filepath.Join(e.data, k))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(restored, k), b, 0o600); err != nil {
			return err
		}
	}
	if err := checkDatabase(filepath.Join(restored, "confidant.db")); err != nil {
		return fmt.Errorf("the restored backup: %w", err)
	}
	addr := office.FreeAddr()
	second, err := e.startOn(restored, addr)
	if err != nil {
		return fmt.Errorf("an office on the restored backup: %w", err)
	}
	defer second.Kill()
	// Sessions are in the database, so the help-seeker's session opens the
	// restored office too (cookies do not tell ports apart).
	export, err := s.client.exportFrom("http://" + addr)
	if err != nil {
		return fmt.Errorf("export from the restored office: %w", err)
	}
	if err := holdsOnce(export, before, s.nick); err != nil {
		return fmt.Errorf("the restored office: %w", err)
	}
	fmt.Printf("backup: taken under load, restored, opened; %d earlier messages found\n", len(before))
	return os.RemoveAll(restored)
}

// waitFor polls done until it holds or d has passed.
func waitFor(d time.Duration, done func() bool) error {
	deadline := time.Now().Add(d)
	for !done() {
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// unsentMail returns the ids of the mails waiting in the outbox of a stopped
// office: queued, neither sent nor given up.
func unsentMail(path string) ([]int64, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL AND kind != ?`, string(counselling.NoticePush))
	if err != nil {
		return nil, fmt.Errorf("read the outbox: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// queuedDelivered waits until the restarted office has sent every mail that
// was waiting in the outbox when the process died: each row is still there
// and marked sent, and the sink received exactly that many mails since the
// restart (nothing else queues mail meanwhile, and the sink delivered nothing
// while held, so a mail lost, skipped or sent twice shows as a difference).
func (e *env) queuedDelivered(queued []int64, before int64) error {
	path := filepath.Join(e.data, "confidant.db")
	marks := strings.TrimSuffix(strings.Repeat("?,", len(queued)), ",")
	args := make([]any, len(queued))
	for i, id := range queued {
		args[i] = id
	}
	// A mail whose try timed out while the sink was held waits 30 s before
	// its next try; 90 s leaves room for that.
	deadline := time.Now().Add(90 * time.Second)
	for {
		db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
		if err != nil {
			return err
		}
		var present, sent int
		err = db.QueryRow(`SELECT COUNT(*), COUNT(sent_at) FROM outbox WHERE id IN (`+marks+`)`, args...).Scan(&present, &sent)
		db.Close()
		if err != nil {
			return fmt.Errorf("read the outbox: %w", err)
		}
		if present != len(queued) {
			return fmt.Errorf("%d of the %d mails waiting in the outbox at the kill are gone from it after the restart", len(queued)-present, len(queued))
		}
		if sent == len(queued) {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of the %d mails waiting in the outbox at the kill were not sent within 90 s of the restart", len(queued)-sent, len(queued))
		}
		time.Sleep(200 * time.Millisecond)
	}
	// A mail marked sent is in the sink already; wait a moment for any
	// mail sent twice.
	time.Sleep(300 * time.Millisecond)
	if got := e.mail.count() - before; got != int64(len(queued)) {
		return fmt.Errorf("the sink received %d mails after the restart for the %d waiting in the outbox at the kill", got, len(queued))
	}
	return nil
}

// outboxDelivers waits until every queued mail has gone out.
func (e *env) outboxDelivers() error {
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		db, err := sql.Open("sqlite3", "file:"+filepath.Join(e.data, "confidant.db")+"?mode=ro")
		if err != nil {
			return err
		}
		var pending int
		err = db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND given_up_at IS NULL`).Scan(&pending)
		db.Close()
		if err != nil {
			return err
		}
		if pending == 0 && e.mail.count() > 0 {
			return nil
		}
		time.Sleep(time.Second)
	}
	return errors.New("the outbox did not deliver every mail within 90 s of the last restart")
}

// fullDisk puts an office on a tmpfs of a few megabytes, fills it, and
// checks that writes are refused with a clear message, reads keep working,
// and writes work again once space returns.
func (e *env) fullDisk() error {
	mnt := filepath.Join(e.work, "small")
	if err := os.MkdirAll(mnt, 0o700); err != nil {
		return err
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", mnt).CombinedOutput(); err != nil {
		return fmt.Errorf("mount a small tmpfs: %v: %s", err, out)
	}
	defer exec.Command("umount", mnt).Run()
	addr := office.FreeAddr()
	small, err := e.startOn(filepath.Join(mnt, "data"), addr)
	if err != nil {
		return err
	}
	defer small.Kill()
	s := &seeker{client: newClient(&env{base: small.Base, addr: addr}), nick: "Full Disk Writer"}
	if err := s.Register(s.nick, "a help-seeker's long passphrase", ""); err != nil {
		return err
	}
	l := newLedger()
	if err := s.openThread(l); err != nil {
		return err
	}
	big := strings.Repeat("Ich schreibe, bis die Platte voll ist. ", 400)
	var refused *http.Response
	var refusedBody string
	for i := range 1000 {
		body := fmt.Sprintf("%d %s", i, big)
		resp, page, err := s.Post("/threads/"+s.thread+"/reply", url.Values{"body": {body}})
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusSeeOther {
			refused, refusedBody = resp, page
			break
		}
		l.add(s.nick, body)
	}
	if refused == nil {
		return errors.New("4 MB never filled up")
	}
	if refused.StatusCode != http.StatusServiceUnavailable || !strings.Contains(refusedBody, "storage is full") ||
		!strings.Contains(refusedBody, "Ich schreibe, bis die Platte voll ist.") {
		return fmt.Errorf("a write on a full disk answered %d without the clear message and the text kept", refused.StatusCode)
	}
	resp, page, err := s.Get("/threads/" + s.thread)
	if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(page, "Ich schreibe") {
		return fmt.Errorf("reading on a full disk: %v %v", err, resp)
	}
	if err := s.checkExport(l); err != nil {
		return fmt.Errorf("on a full disk: %w", err)
	}
	fmt.Printf("full disk: writes refused with a clear message after %d replies; reads work\n", len(l.snapshot(s.nick))-1)
	if out, err := exec.Command("mount", "-o", "remount,size=64m", mnt).CombinedOutput(); err != nil {
		return fmt.Errorf("give space back: %v: %s", err, out)
	}
	for i := range 3 {
		body := fmt.Sprintf("after the disk grew %d", i)
		resp, _, err := s.Post("/threads/"+s.thread+"/reply", url.Values{"body": {body}})
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			return fmt.Errorf("a write after space returned: %v %v", err, resp)
		}
		l.add(s.nick, body)
	}
	if err := s.checkExport(l); err != nil {
		return fmt.Errorf("after space returned: %w", err)
	}
	fmt.Println("full disk: writes work again once space returns, without a restart")
	return nil
}
