// Package passwd hashes and checks passwords with argon2id. A fixed number of
// slots bounds how many hashes run at once, and a line of the callers the slots
// can serve within the wait bounds how many wait, so a flood of logins costs a
// bounded amount of memory and the surplus is turned away at once with "busy"
// instead of piling up. A slot that hashes without pause rests between hashes,
// so a flood takes only a share of its core, and the pages of the people
// already logged in keep the rest.
package passwd

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"math"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"confidant/counselling"
	"confidant/counselling/passwd/argon2"
)

// Params are argon2id parameters. They are stored with every hash, so they can be
// raised later without breaking old hashes.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	SaltLen int
	KeyLen  uint32
}

// DefaultParams follow OWASP's argon2id minimum: 19 MiB, two passes, one lane.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Hasher hashes and verifies passwords behind a bounded number of slots.
// Each slot keeps its hash's work area for the next, so the memory of
// hashing is the slots' and is not allocated again for every attempt.
type Hasher struct {
	params Params
	slots  chan keyer
	all    []keyer
	wait   time.Duration
	dummy  string
	// share is the part of a slot's time it may spend hashing.
	share float64
	// waiting counts the callers waiting for a slot; line is how many may.
	waiting atomic.Int64
	line    int64
}

// DefaultShare is the part of its core a slot may spend hashing when logins
// come without pause. With the whole core, a login flood left the other
// pages one core shared with the flood's own connections, and their p99 grew
// threefold and more; a lone login is not slowed by it, since the rest
// comes after its answer.
const DefaultShare = 0.5

// Rest is how long a slot rests after a hash that took took, so that it
// spends no more than share of its time hashing.
func Rest(took time.Duration, share float64) time.Duration {
	if share <= 0 || share >= 1 || took <= 0 {
		return 0
	}
	return time.Duration(math.Round(float64(took) * (1 - share) / share))
}

// Line is how many callers may wait for one of slots, when one hash takes
// perHash and nobody waits longer than wait: those a slot can still serve
// within the wait, and no more. A caller beyond them would only wait the
// whole wait to be told "busy", holding its request's memory and a
// goroutine meanwhile, so in a flood of logins it is told at once, and
// memory stays bounded by the slots and the line, not by the flood.
func Line(slots int, wait, perHash time.Duration) int {
	if perHash <= 0 {
		perHash = time.Millisecond
	}
	return max(slots, int((int64(slots)*int64(wait)+int64(perHash)-1)/int64(perHash)))
}

// DefaultSlots is how many hashes run at once on procs cores: all but one,
// and at least one. A flood of logins then keeps one core for every other
// page; with a slot on every core, each page waited behind the hashes for
// the scheduler's time slices, and its p99 grew tenfold.
func DefaultSlots(procs int) int {
	return max(1, procs-1)
}

// New returns a hasher with DefaultSlots(GOMAXPROCS) slots when slots is 0,
// each hashing at most DefaultShare of its time; a caller that waits longer
// than wait for a slot gets an EUnavailable error.
func New(params Params, slots int, wait time.Duration) *Hasher {
	return NewShared(params, slots, DefaultShare, wait)
}

// NewShared is New with each slot hashing at most share of its time (1: all
// of it).
func NewShared(params Params, slots int, share float64, wait time.Duration) *Hasher {
	return newHasher(params, slots, share, wait, func() keyer { return inProcess{new(argon2.Memory)} })
}

// NewSeparate is NewShared with each slot's hashes made in a process of its
// own, which start returns ready to run (see ServeWorker) and which is
// started again if it fails. Close ends the processes.
func NewSeparate(params Params, slots int, share float64, wait time.Duration, start func() *exec.Cmd) *Hasher {
	return newHasher(params, slots, share, wait, func() keyer { return &process{start: start} })
}

func newHasher(params Params, slots int, share float64, wait time.Duration, slot func() keyer) *Hasher {
	if slots <= 0 {
		slots = DefaultSlots(runtime.GOMAXPROCS(0))
	}
	h := &Hasher{params: params, slots: make(chan keyer, slots), wait: wait, share: share}
	for range slots {
		k := slot()
		h.all = append(h.all, k)
		h.slots <- k
	}
	// The dummy hash is made, and one hash timed, by a slot as every
	// other hash is.
	k := <-h.slots
	start := time.Now()
	h.dummy = h.hash(k, []byte("confidant dummy password"))
	took := time.Since(start)
	h.slots <- k
	h.line = int64(Line(slots, wait, took+Rest(took, share)))
	return h
}

// Close ends the hashing processes of a hasher made by NewSeparate.
func (h *Hasher) Close() {
	for _, k := range h.all {
		if p, ok := k.(*process); ok {
			p.mu.Lock()
			p.stop()
			p.mu.Unlock()
		}
	}
}

// WaitingLine is how many callers may wait for a slot (see Line).
func (h *Hasher) WaitingLine() int { return int(h.line) }

// ErrBusy is returned when every slot stayed taken for the whole wait.
var ErrBusy = &counselling.Error{Code: counselling.EUnavailable, Message: "Many people are logging in right now. Please try again in a few seconds."}

// acquire takes a free slot.
func (h *Hasher) acquire(ctx context.Context) (keyer, error) {
	select {
	case m := <-h.slots:
		return m, nil
	default:
	}
	if h.waiting.Add(1) > h.line {
		h.waiting.Add(-1)
		return nil, ErrBusy
	}
	defer h.waiting.Add(-1)
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case m := <-h.slots:
		return m, nil
	case <-t.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// release gives a slot back once it has rested after a hash that began at
// start. The caller does not wait for the rest: its answer goes out at once.
func (h *Hasher) release(m keyer, start time.Time) {
	rest := Rest(time.Since(start), h.share)
	if rest <= 0 {
		h.slots <- m
		return
	}
	time.AfterFunc(rest, func() { h.slots <- m })
}

// Hash returns the encoded argon2id hash of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	m, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer h.release(m, time.Now())
	return h.hash(m, []byte(password)), nil
}

func (h *Hasher) hash(m keyer, password []byte) string {
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		panic("passwd: crypto/rand failed: " + err.Error())
	}
	key, err := m.key(password, salt, h.params.Time, h.params.Memory, h.params.Threads, h.params.KeyLen)
	if err != nil {
		panic("passwd: the office's own parameters were refused: " + err.Error())
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		h.params.Memory, h.params.Time, h.params.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify reports whether password matches encoded. An empty encoded hash (an
// unknown account, or one that has no password yet) is checked against a dummy
// hash, so that the answer takes as long as for a real account.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (bool, error) {
	m, err := h.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer h.release(m, time.Now())
	real := encoded != ""
	if !real {
		encoded = h.dummy
	}
	p, salt, want, err := decode(encoded)
	if err != nil {
		return false, err
	}
	got, err := m.key([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	if err != nil {
		return false, err
	}
	return real && subtle.ConstantTimeCompare(got, want) == 1, nil
}

func decode(encoded string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("passwd: not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, fmt.Errorf("passwd: unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("passwd: malformed parameters")
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, fmt.Errorf("passwd: malformed salt")
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return p, nil, nil, fmt.Errorf("passwd: malformed hash")
	}
	return p, salt, key, nil
}
