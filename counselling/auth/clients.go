package auth

import (
	"crypto/sha256"
	"sync"
	"time"

	"confidant/counselling"
)

// Client is how auth knows who is trying: a keyed hash of the connection's
// address made by the web layer, whose key lives in memory only and is renewed
// every day. It is never the address, and auth keeps it only in memory.
type Client [32]byte

// maxPairs bounds the memory of clientFailures; past it, pairs whose window
// has passed go, and if that is not enough, all go. Forgetting only ever gives
// a client back its first few free tries; the account's own count, kept in the
// database, still holds.
const maxPairs = 100_000

// clientFailures counts wrong passwords per account and client, in memory.
type clientFailures struct {
	mu    sync.Mutex
	pairs map[[32]byte]counselling.Failures
}

func pairKey(client Client, accountID string) [32]byte {
	h := sha256.New()
	h.Write(client[:])
	h.Write([]byte(accountID))
	var k [32]byte
	copy(k[:], h.Sum(nil))
	return k
}

func (c *clientFailures) get(client Client, accountID string) counselling.Failures {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pairs[pairKey(client, accountID)]
}

func (c *clientFailures) add(client Client, accountID string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pairs == nil {
		c.pairs = map[[32]byte]counselling.Failures{}
	}
	k := pairKey(client, accountID)
	if _, ok := c.pairs[k]; !ok && len(c.pairs) >= maxPairs {
		for k, f := range c.pairs {
			if !now.Before(f.Since.Add(counselling.FailureWindow)) {
				delete(c.pairs, k)
			}
		}
		if len(c.pairs) >= maxPairs {
			clear(c.pairs)
		}
	}
	c.pairs[k] = c.pairs[k].AddPasswordFailure(now)
}

// forget ends the count of a client that gave the right password.
func (c *clientFailures) forget(client Client, accountID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pairs, pairKey(client, accountID))
}
