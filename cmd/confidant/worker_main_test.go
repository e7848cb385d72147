package main

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The office started by these tests finds this test binary as its own
// executable and starts it as its password-hashing process: then it must
// be that process, not run the tests again.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == hashWorkerCommand {
		if err := hashWorker(os.Stdin, os.Stdout); err != nil {
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The office hashes passwords in processes of its own at the lowest CPU
// priority, which end with the office; a help-seeker registers and logs in
// through them.
func TestPasswordsAreHashedInALowPriorityProcess(t *testing.T) {
	office := start(t, filepath.Join(t.TempDir(), "data"))
	workers := hashWorkers(t)
	if len(workers) == 0 {
		t.Fatal("the office started no hashing process")
	}
	for _, w := range workers {
		if w.nice != 19 {
			t.Errorf("hashing process %d runs at niceness %d, want 19", w.pid, w.nice)
		}
	}

	c := client()
	resp, _ := postForm(t, c, office.url, "/register", url.Values{
		"nickname": {"Quiet Harbour"}, "password": {"boats rest at night"},
		"age_band": {"20-29"}, "accept_terms": {"yes"}})
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("register: %s", resp.Status)
	}
	resp, body := postForm(t, client(), office.url, "/login", url.Values{"nickname": {"Quiet Harbour"}, "password": {"boats rest at night"}})
	if resp.Request.URL.Path != "/threads" {
		t.Fatalf("login through the hashing process ended on %s, want /threads\n%s", resp.Request.URL.Path, body)
	}

	if err := office.stop(); err != nil {
		t.Fatal(err)
	}
	for i := 0; len(hashWorkers(t)) > 0; i++ {
		if i == 50 {
			t.Fatal("hashing processes outlived the office")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type hashProcess struct{ pid, nice int }

// hashWorkers lists the hashing processes this test process started.
func hashWorkers(t *testing.T) []hashProcess {
	t.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var found []hashProcess
	for _, stat := range stats {
		b, err := os.ReadFile(stat)
		if err != nil {
			continue
		}
		// Fields after the command's closing parenthesis: state is the
		// first, the parent's pid the second, niceness the seventeenth.
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) < 17 || f[0] == "Z" || f[1] != strconv.Itoa(os.Getpid()) {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join(filepath.Dir(stat), "cmdline"))
		if !strings.Contains(string(cmdline), "\x00"+hashWorkerCommand) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(stat)))
		nice, _ := strconv.Atoi(f[16])
		found = append(found, hashProcess{pid, nice})
	}
	return found
}
