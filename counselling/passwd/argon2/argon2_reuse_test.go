package argon2_test

import (
	"bytes"
	"runtime"
	"testing"

	"confidant/counselling/passwd/argon2"

	xargon2 "golang.org/x/crypto/argon2"
)

// A Memory used again and again, also after larger and smaller hashes that
// leave other data in it, gives exactly x/crypto's keys.
func TestMemoryReusedGivesTheSameKeysAsXCrypto(t *testing.T) {
	var m argon2.Memory
	for i, c := range []struct {
		password, salt string
		time, memory   uint32
		threads        uint8
		keyLen         uint32
	}{
		{"a fine long password", "0123456789abcdef", 2, 19 * 1024, 1, 32},
		{"another password", "fedcba9876543210", 2, 19 * 1024, 1, 32},
		{"small", "saltsaltsaltsalt", 1, 64, 1, 16},
		{"bigger after smaller", "saltsaltsaltsalt", 3, 32 * 1024, 2, 32},
		{"a fine long password", "0123456789abcdef", 2, 19 * 1024, 1, 32},
		{"four lanes", "0123456789abcdef", 1, 8 * 1024, 4, 64},
	} {
		want := xargon2.IDKey([]byte(c.password), []byte(c.salt), c.time, c.memory, c.threads, c.keyLen)
		got := m.IDKey([]byte(c.password), []byte(c.salt), c.time, c.memory, c.threads, c.keyLen)
		if !bytes.Equal(got, want) {
			t.Errorf("case %d: key %x, x/crypto's %x", i, got, want)
		}
	}
}

// Hashing with a kept Memory allocates almost nothing: the work area is the
// Memory's.
func TestMemoryReusedAllocatesNoWorkArea(t *testing.T) {
	var m argon2.Memory
	m.IDKey([]byte("warm up"), []byte("0123456789abcdef"), 2, 19*1024, 1, 32)
	allocs := testing.AllocsPerRun(5, func() {
		m.IDKey([]byte("a fine long password"), []byte("0123456789abcdef"), 2, 19*1024, 1, 32)
	})
	// A few small allocations (the key, goroutines of the lanes) remain.
	if allocs > 50 {
		t.Fatalf("%.0f allocations per hash", allocs)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 5 {
		m.IDKey([]byte("a fine long password"), []byte("0123456789abcdef"), 2, 19*1024, 1, 32)
	}
	runtime.ReadMemStats(&after)
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 1<<20 {
		t.Fatalf("five hashes allocated %.1f MiB", float64(grown)/(1<<20))
	}
}
