package auth

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"confidant/counselling"
)

// Client is how auth knows who is trying: keyed hashes made by the web layer of
// the connection's client (an IPv4 address or an IPv6 /56) and of its network
// (an IPv4 address or an IPv6 /48), with a key that is renewed every day. They
// are never the address. On one node auth keeps them only in memory; with
// several, where the next try may reach another node, in the database
// (Guesses), and only for as long as they count.
type Client struct {
	ID      [32]byte
	Network [32]byte
}

// Guesses keeps the wrong passwords per client (or network) and account, and
// which networks failed against each account lately. New keeps them in
// memory; KeepGuessesIn puts them where every node sees them.
type Guesses interface {
	// PairFailures is how a client or network has failed against an
	// account (pair is Client.ID or Client.Network).
	PairFailures(ctx context.Context, pair [32]byte, accountID string) (counselling.Failures, error)
	// AddPairFailure counts one more wrong password of the pair, as
	// counselling.Failures.AddPasswordFailure counts.
	AddPairFailure(ctx context.Context, pair [32]byte, accountID string, now time.Time) error
	// ForgetPair ends the count of a client that gave the right password.
	ForgetPair(ctx context.Context, pair [32]byte, accountID string) error
	// Networks is how many distinct networks failed against the account
	// within counselling.FailureWindow.
	Networks(ctx context.Context, accountID string, now time.Time) (int, error)
	// AddNetwork records a failure from network against the account and
	// returns Networks as it now stands.
	AddNetwork(ctx context.Context, accountID string, network [32]byte, now time.Time) (int, error)
}

// memoryGuesses is Guesses in this process's memory.
type memoryGuesses struct {
	pairs    clientFailures
	networks accountNetworks
}

func (m *memoryGuesses) PairFailures(_ context.Context, pair [32]byte, accountID string) (counselling.Failures, error) {
	return m.pairs.get(pair, accountID), nil
}

func (m *memoryGuesses) AddPairFailure(_ context.Context, pair [32]byte, accountID string, now time.Time) error {
	m.pairs.add(pair, accountID, now)
	return nil
}

func (m *memoryGuesses) ForgetPair(_ context.Context, pair [32]byte, accountID string) error {
	m.pairs.forget(pair, accountID)
	return nil
}

func (m *memoryGuesses) Networks(_ context.Context, accountID string, now time.Time) (int, error) {
	return m.networks.count(accountID, now), nil
}

func (m *memoryGuesses) AddNetwork(_ context.Context, accountID string, network [32]byte, now time.Time) (int, error) {
	return m.networks.add(accountID, network, now), nil
}

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

func pairKey(client [32]byte, accountID string) [32]byte {
	h := sha256.New()
	h.Write(client[:])
	h.Write([]byte(accountID))
	var k [32]byte
	copy(k[:], h.Sum(nil))
	return k
}

func (c *clientFailures) get(client [32]byte, accountID string) counselling.Failures {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pairs[pairKey(client, accountID)]
}

func (c *clientFailures) add(client [32]byte, accountID string, now time.Time) {
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
func (c *clientFailures) forget(client [32]byte, accountID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pairs, pairKey(client, accountID))
}

// maxNetworksPerAccount bounds the networks remembered for one account: past
// MinGuessingNetworks, more change nothing.
const maxNetworksPerAccount = 4 * counselling.MinGuessingNetworks

// accountNetworks remembers, in memory, which networks failed against each
// account lately, to count the distinct ones (counselling.AccountHeld).
type accountNetworks struct {
	mu       sync.Mutex
	accounts map[string]map[[32]byte]time.Time // account, network, latest failure
}

// count is how many distinct networks failed against the account within the
// last window.
func (a *accountNetworks) count(accountID string, now time.Time) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.countLocked(accountID, now)
}

func (a *accountNetworks) countLocked(accountID string, now time.Time) int {
	n := 0
	for _, last := range a.accounts[accountID] {
		if now.Before(last.Add(counselling.FailureWindow)) {
			n++
		}
	}
	return n
}

// add records a failure from network against the account and returns the
// count as it now stands.
func (a *accountNetworks) add(accountID string, network [32]byte, now time.Time) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.accounts == nil {
		a.accounts = map[string]map[[32]byte]time.Time{}
	}
	nets, ok := a.accounts[accountID]
	if !ok {
		if len(a.accounts) >= maxPairs {
			for id := range a.accounts {
				if a.countLocked(id, now) == 0 {
					delete(a.accounts, id)
				}
			}
			if len(a.accounts) >= maxPairs {
				clear(a.accounts)
			}
		}
		nets = map[[32]byte]time.Time{}
		a.accounts[accountID] = nets
	}
	if _, ok := nets[network]; !ok && len(nets) >= maxNetworksPerAccount {
		for k, last := range nets {
			if !now.Before(last.Add(counselling.FailureWindow)) {
				delete(nets, k)
			}
		}
	}
	if _, ok := nets[network]; ok || len(nets) < maxNetworksPerAccount {
		nets[network] = now
	}
	return a.countLocked(accountID, now)
}
