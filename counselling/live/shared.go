package live

import (
	"context"
	"strings"
	"sync"
	"time"

	"confidant/counselling"
)

// Shared is the live state that every node of an office sees alike: how many
// connections of a kind are open (a counsellor's live tabs, a chat's
// counsellor, a help-seeker's pages that can be rung) and small values that
// expire (a ring, an offered call, a page's confirmation). On one node it is
// held in memory (MemoryShared); with several nodes on one PostgreSQL the
// store keeps it in the database, where a node that stops beating loses its
// connections after a while.
//
// Keys are made of kinds and ids only; values may hold a person's name and
// are sealed by whoever writes them to a disk.
type Shared interface {
	// Join counts one more open connection of this node under key, and
	// Leave one less.
	Join(ctx context.Context, key string) error
	Leave(ctx context.Context, key string) error
	// Count is how many connections are open under key, on every node.
	Count(ctx context.Context, key string) (int, error)
	// Put keeps value under key for ttl (zero: until deleted or replaced).
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Get returns the value under key, or nil when there is none.
	Get(ctx context.Context, key string) ([]byte, error)
	// Take returns the value under key and deletes it, so that of several
	// callers at once only one gets it; nil when there is none.
	Take(ctx context.Context, key string) ([]byte, error)
	// Update changes the value under key as one step that no other node's
	// change interleaves with: fn gets the value (nil when there is none)
	// and returns the new one (nil deletes it), kept for ttl as Put keeps
	// it. fn may run more than once, when another node's change came
	// first, so it must only compute.
	Update(ctx context.Context, key string, ttl time.Duration, fn func(old []byte) ([]byte, error)) error
	// Delete forgets key.
	Delete(ctx context.Context, key string) error
	// Scan returns every value whose key starts with prefix.
	Scan(ctx context.Context, prefix string) (map[string][]byte, error)
}

// MemoryShared is Shared within one process.
type MemoryShared struct {
	clock  counselling.Clock
	mu     sync.Mutex
	counts map[string]int
	values map[string]memoryValue
}

type memoryValue struct {
	v       []byte
	expires time.Time
}

// maxMemoryValues is how many values MemoryShared holds before it looks for
// expired ones to forget.
const maxMemoryValues = 10_000

// NewMemoryShared returns empty shared state that reads the time from clock.
func NewMemoryShared(clock counselling.Clock) *MemoryShared {
	return &MemoryShared{clock: clock, counts: map[string]int{}, values: map[string]memoryValue{}}
}

// Join implements Shared.
func (m *MemoryShared) Join(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.counts[key]++
	return nil
}

// Leave implements Shared.
func (m *MemoryShared) Leave(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.counts[key]--; m.counts[key] <= 0 {
		delete(m.counts, key)
	}
	return nil
}

// Count implements Shared.
func (m *MemoryShared) Count(_ context.Context, key string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counts[key], nil
}

// Put implements Shared.
func (m *MemoryShared) Put(_ context.Context, key string, value []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock.Now()
	var expires time.Time
	if ttl > 0 {
		expires = now.Add(ttl)
	}
	if len(m.values) >= maxMemoryValues {
		// Values that expired and were never asked for again go.
		for k, v := range m.values {
			if !v.expires.IsZero() && !now.Before(v.expires) {
				delete(m.values, k)
			}
		}
	}
	m.values[key] = memoryValue{v: append([]byte(nil), value...), expires: expires}
	return nil
}

// Get implements Shared.
func (m *MemoryShared) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.getLocked(key), nil
}

func (m *MemoryShared) getLocked(key string) []byte {
	v, ok := m.values[key]
	if !ok {
		return nil
	}
	if !v.expires.IsZero() && !m.clock.Now().Before(v.expires) {
		delete(m.values, key)
		return nil
	}
	return append([]byte(nil), v.v...)
}

// Take implements Shared.
func (m *MemoryShared) Take(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v := m.getLocked(key)
	delete(m.values, key)
	return v, nil
}

// Update implements Shared.
func (m *MemoryShared) Update(_ context.Context, key string, ttl time.Duration, fn func(old []byte) ([]byte, error)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, err := fn(m.getLocked(key))
	if err != nil {
		return err
	}
	if v == nil {
		delete(m.values, key)
		return nil
	}
	var expires time.Time
	if ttl > 0 {
		expires = m.clock.Now().Add(ttl)
	}
	m.values[key] = memoryValue{v: append([]byte(nil), v...), expires: expires}
	return nil
}

// Delete implements Shared.
func (m *MemoryShared) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.values, key)
	return nil
}

// Scan implements Shared.
func (m *MemoryShared) Scan(_ context.Context, prefix string) (map[string][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string][]byte{}
	for k := range m.values {
		if strings.HasPrefix(k, prefix) {
			if v := m.getLocked(k); v != nil {
				out[k] = v
			}
		}
	}
	return out, nil
}
