package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"confidant/counselling"
	"confidant/counselling/auth"
)

// clientLimiter is a token bucket per client. Clients are known by
// HMAC(key, address) where the key is random and replaced every day, so
// yesterday's entries cannot be linked to today's nor to any address. On one
// node key and buckets are in memory only and the key is never written
// anywhere; with several nodes (counter set) every node must count a client
// alike, so the day's key is kept sealed in the database, and the buckets
// there, both forgotten with the day.
type clientLimiter struct {
	mu      sync.Mutex
	clock   counselling.Clock
	rate    float64 // tokens per second
	burst   float64
	key     []byte
	keyDay  int64
	buckets map[[32]byte]*bucket
	counter GuessCounter
	log     *slog.Logger
}

// GuessCounter keeps the limiter's counts, and auth's counts of wrong
// passwords, where every node sees them.
type GuessCounter interface {
	auth.Guesses
	// GuessKey returns the day's key for the hashes of clients: a random
	// key made by the first node that asks, the same for every node.
	GuessKey(ctx context.Context, day int64) ([]byte, error)
	// SpendGuess refills the client's bucket at perSecond up to burst and
	// spends one token from it, or says how long to wait for one.
	SpendGuess(ctx context.Context, client [32]byte, now time.Time, perSecond, burst float64) (time.Duration, bool, error)
	// ForgetGuesses forgets the buckets idle since before and the keys of
	// days before day.
	ForgetGuesses(ctx context.Context, before time.Time, day int64) error
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxBuckets bounds the limiter's memory; past it the oldest idle entries go.
const maxBuckets = 100_000

func newClientLimiter(clock counselling.Clock, perWindow int, window time.Duration, counter GuessCounter, log *slog.Logger) *clientLimiter {
	return &clientLimiter{
		counter: counter,
		log:     log,
		clock:   clock,
		rate:    float64(perWindow) / window.Seconds(),
		burst:   float64(perWindow),
		buckets: map[[32]byte]*bucket{},
	}
}

func (l *clientLimiter) rotate(now time.Time) {
	day := now.Unix() / 86400
	if l.key != nil && day == l.keyDay {
		return
	}
	if l.counter != nil {
		ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
		defer cancel()
		key, err := l.counter.GuessKey(ctx, day)
		if err != nil {
			// Without the day's key no node could count this client alike;
			// a key of this node's own counts it here until the next try.
			l.log.Error("read the day's key of the login limiter", "error", err.Error())
			key = make([]byte, 32)
			rand.Read(key)
			day = -1
		}
		l.key, l.keyDay = key, day
		return
	}
	l.key = make([]byte, 32)
	rand.Read(l.key)
	l.keyDay = day
	clear(l.buckets)
}

// clientID is the requesting client as the keyed hash of its address. The
// address is read here and only turned into the hash; it is never stored,
// logged, or passed on. Call with l.mu held.
func (l *clientLimiter) clientID(r *http.Request, now time.Time) [32]byte {
	client, _ := peerHost(r)
	return l.hash(now, "client "+client)
}

func (l *clientLimiter) hash(now time.Time, s string) [32]byte {
	l.rotate(now)
	mac := hmac.New(sha256.New, l.key)
	mac.Write([]byte(s))
	var id [32]byte
	copy(id[:], mac.Sum(nil))
	return id
}

// client is the requesting client as auth knows it, to count its wrong
// passwords per account: keyed hashes of its client and network, never the
// address.
func (l *clientLimiter) client(r *http.Request) auth.Client {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	client, network := peerHost(r)
	return auth.Client{ID: l.hash(now, "client "+client), Network: l.hash(now, "network "+network)}
}

// allow spends one token of the requesting client's bucket, or says how long
// to wait.
func (l *clientLimiter) allow(r *http.Request) (time.Duration, bool) {
	l.mu.Lock()
	now := l.clock.Now()
	id := l.clientID(r, now)
	if l.counter != nil {
		l.mu.Unlock()
		wait, ok, err := l.counter.SpendGuess(r.Context(), id, now, l.rate, l.burst)
		if err != nil {
			// An attempt that cannot be counted is not let through: the
			// limit is what stands between a guesser and the passwords.
			l.log.Error("count a guarded attempt", "error", err.Error())
			return time.Second, false
		}
		return wait, ok
	}
	defer l.mu.Unlock()
	b, ok := l.buckets[id]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.sweepLocked(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[id] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) / l.rate * float64(time.Second)), false
	}
	b.tokens--
	return 0, true
}

// sweep drops buckets that have refilled completely.
func (l *clientLimiter) sweep() {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if l.counter != nil {
		ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
		defer cancel()
		full := time.Duration(l.burst / l.rate * float64(time.Second))
		if err := l.counter.ForgetGuesses(ctx, now.Add(-full), now.Unix()/86400); err != nil {
			l.log.Error("forget the login limiter's counts", "error", err.Error())
		}
		return
	}
	l.sweepLocked(now)
}

func (l *clientLimiter) sweepLocked(now time.Time) {
	full := time.Duration(l.burst / l.rate * float64(time.Second))
	for id, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, id)
		}
	}
	if len(l.buckets) >= maxBuckets {
		clear(l.buckets)
	}
}

// peerHost is the client of the connection's peer and the network it belongs
// to, without the port, so that one client's connections share a bucket. An
// IPv6 client counts by its /56 network, which one household is given whole
// (otherwise one client could count as billions), and belongs to its /48, which
// one tunnel hands out whole; an IPv4 address is both. Forwarding headers are
// ignored: the client sets them. Only the limiter calls it, to hash the result.
func peerHost(r *http.Request) (client, network string) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		return ip.Mask(net.CIDRMask(56, 128)).String() + "/56", ip.Mask(net.CIDRMask(48, 128)).String() + "/48"
	}
	return host, host
}
