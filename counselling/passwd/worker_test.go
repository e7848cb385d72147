package passwd

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The test binary is also the hashing process the tests start: with
// PASSWD_TEST_WORKER set it serves hashes (or, set to "die", ends at once,
// as a worker that cannot run would).
func TestMain(m *testing.M) {
	switch os.Getenv("PASSWD_TEST_WORKER") {
	case "serve":
		if err := ServeWorker(os.Stdin, os.Stdout); err != nil {
			os.Exit(2)
		}
		os.Exit(0)
	case "die":
		os.Exit(3)
	}
	os.Exit(m.Run())
}

func testWorker(mode string) func() *exec.Cmd {
	return func() *exec.Cmd {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "PASSWD_TEST_WORKER="+mode)
		return cmd
	}
}

var smallParams = Params{Memory: 8 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// A hash made in a hashing process is the hash the office's own process
// makes: each checks the other's, and a wrong password is refused.
func TestSeparateProcessHashesAsTheOfficeDoes(t *testing.T) {
	ctx := context.Background()
	separate := NewSeparate(smallParams, 1, 1, time.Second, testWorker("serve"))
	defer separate.Close()
	own := NewShared(smallParams, 1, 1, time.Second)

	hash, err := separate.Hash(ctx, "a long calm sentence")
	if err != nil {
		t.Fatal(err)
	}
	p := separate.all[0].(*process)
	if p.cmd == nil || p.cmd.Process == nil {
		t.Fatal("the hash was not made in a process of its own")
	}
	if ok, err := own.Verify(ctx, hash, "a long calm sentence"); !ok || err != nil {
		t.Fatalf("the office's own process refused a hash made by the worker: %v %v", ok, err)
	}
	hash, _ = own.Hash(ctx, "another calm sentence")
	if ok, err := separate.Verify(ctx, hash, "another calm sentence"); !ok || err != nil {
		t.Fatalf("the worker refused a hash made by the office: %v %v", ok, err)
	}
	if ok, _ := separate.Verify(ctx, hash, "another calm sentencE"); ok {
		t.Fatal("the worker accepted a wrong password")
	}
}

// A hashing process that dies is replaced at the next hash, and a hash in
// flight when it died is made in the office's own process: no login fails
// for it.
func TestKilledWorkerIsReplaced(t *testing.T) {
	ctx := context.Background()
	h := NewSeparate(smallParams, 1, 1, time.Second, testWorker("serve"))
	defer h.Close()
	p := h.all[0].(*process)
	first := p.cmd.Process.Pid
	p.cmd.Process.Kill()
	hash, err := h.Hash(ctx, "a long calm sentence")
	if err != nil {
		t.Fatalf("a hash failed because its worker had died: %v", err)
	}
	if ok, _ := h.Verify(ctx, hash, "a long calm sentence"); !ok {
		t.Fatal("the hash made when the worker had died does not verify")
	}
	// The failure made the slot hash in the office until its retry time;
	// once that has passed, a new process serves it.
	p.mu.Lock()
	p.retryAt = time.Time{}
	p.mu.Unlock()
	if _, err := h.Hash(ctx, "a long calm sentence"); err != nil {
		t.Fatal(err)
	}
	if p.cmd == nil || p.cmd.Process.Pid == first {
		t.Fatal("the dead worker was not replaced by a new process")
	}
}

// A worker that cannot run at all is not started again for every hash:
// the slot hashes in the office's own process for a while.
func TestWorkerThatCannotRunIsNotRestartedForEveryHash(t *testing.T) {
	ctx := context.Background()
	starts := 0
	start := testWorker("die")
	h := NewSeparate(smallParams, 1, 1, time.Second, func() *exec.Cmd { starts++; return start() })
	defer h.Close()
	for range 5 {
		hash, err := h.Hash(ctx, "a long calm sentence")
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := h.Verify(ctx, hash, "a long calm sentence"); !ok {
			t.Fatal("a hash made without a worker does not verify")
		}
	}
	if starts != 1 {
		t.Fatalf("a worker that dies at once was started %d times for 11 hashes, want once", starts)
	}
}

// The worker reads only well-formed requests within bounds, and ends
// cleanly when the office closes its input.
func TestWorkerRequests(t *testing.T) {
	good := request{Time: 2, Memory: 8 * 1024, KeyLen: 32, Threads: 1, Salt: []byte("0123456789abcdef"), Password: []byte("a long calm sentence")}
	encode := func(r request) []byte {
		var b bytes.Buffer
		writeRequest(&b, r)
		return b.Bytes()
	}
	with := func(change func(*request)) request { r := good; change(&r); return r }
	for _, c := range []struct {
		name string
		in   []byte
		want string // "" when the request is answered
	}{
		{"a good request", encode(good), ""},
		{"no passes", encode(with(func(r *request) { r.Time = 0 })), "out of range"},
		{"memory beyond 4 GiB", encode(with(func(r *request) { r.Memory = maxWorkerMemory + 1 })), "out of range"},
		{"no lanes", encode(with(func(r *request) { r.Threads = 0 })), "out of range"},
		{"a key too long", encode(with(func(r *request) { r.KeyLen = maxWorkerKey + 1 })), "out of range"},
		{"a password too long", encode(with(func(r *request) { r.Password = make([]byte, maxWorkerPassword+1) })), "too long"},
		// A head naming a gibibyte of password that never comes is refused
		// before anything is allocated for it.
		{"a length beyond the bounds", binary.BigEndian.AppendUint32(encode(good)[:17], 1<<30), "too long"},
		{"cut short", encode(good)[:30], io.ErrUnexpectedEOF.Error()},
		{"a head cut short", encode(good)[:10], io.ErrUnexpectedEOF.Error()},
	} {
		var out bytes.Buffer
		err := ServeWorker(bytes.NewReader(c.in), &out)
		switch {
		case c.want == "" && (err != nil || out.Len() != 4+32):
			t.Errorf("%s: %v, %d bytes answered, want a key of 32", c.name, err, out.Len())
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.want)
		case c.want != "" && out.Len() != 0:
			t.Errorf("%s: answered %d bytes to a bad request", c.name, out.Len())
		}
	}
	var out bytes.Buffer
	if err := ServeWorker(bytes.NewReader(nil), &out); err != nil || errors.Is(err, io.EOF) {
		t.Fatalf("a worker whose input closed at once ended with %v, want nil", err)
	}
}
