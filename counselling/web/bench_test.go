package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkRegister measures registrations per second through the HTTP handler
// (argon2id hash, key generation, sealing and insert included), two at a time as
// on this two-core machine.
func BenchmarkRegister(b *testing.B) {
	o := newOffice(b)
	var n atomic.Int64
	b.SetParallelism(1)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		br := o.browser()
		for pb.Next() {
			i := n.Add(1)
			p := br.post("/register", registration(fmt.Sprintf("bench person %d", i), "a fine long password"))
			if p.status != http.StatusSeeOther {
				b.Errorf("register: %d", p.status)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "registrations/s")
}

// BenchmarkLogin measures logins per second through the HTTP handler.
func BenchmarkLogin(b *testing.B) {
	o := newOffice(b)
	o.browser().register("Bench Login", "a fine long password")
	form := url.Values{"nickname": {"Bench Login"}, "password": {"a fine long password"}}
	b.SetParallelism(1)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		br := o.browser()
		for pb.Next() {
			if p := br.post("/login", form); p.status != http.StatusSeeOther {
				b.Errorf("login: %d", p.status)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
}

// BenchmarkFiftyConcurrentLogins sends 50 logins at once and reports the peak Go
// heap seen while they run: the hasher's slots keep it near passwd.DefaultSlots(GOMAXPROCS) × 19 MiB
// however many wait.
func BenchmarkFiftyConcurrentLogins(b *testing.B) {
	o := newOffice(b)
	o.browser().register("Crowd Login", "a fine long password")
	form := url.Values{"nickname": {"Crowd Login"}, "password": {"a fine long password"}}
	var peak uint64
	var busy atomic.Int64
	for b.Loop() {
		runtime.GC()
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
				select {
				case <-stop:
					return
				case <-time.After(2 * time.Millisecond):
				}
			}
		}()
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				p := o.browser().post("/login", form)
				if p.status == http.StatusServiceUnavailable {
					busy.Add(1)
				} else if p.status != http.StatusSeeOther {
					b.Errorf("login: %d", p.status)
				}
			})
		}
		wg.Wait()
		close(stop)
		<-sampled
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(busy.Load())/float64(b.N), "busy-per-50")
}
