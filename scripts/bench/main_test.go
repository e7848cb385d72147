package main

import (
	"testing"
	"time"
)

// The driver reads its figures from `go test -bench` output; a figure read
// wrongly would put a wrong number in the docs.
func TestParseBench(t *testing.T) {
	out := `goos: linux
BenchmarkCounsellorReply-2   	    4077	    712345 ns/op	         1.20 p50-ms	         9.80 p99-ms	      1402 req/s	   51234 B/op
BenchmarkChatDelivery/think=0s-2         	       1	20000000000 ns/op	        48.5 p99-ms
PASS`
	res := parseBench(out)
	if got := res["BenchmarkCounsellorReply"]["p99-ms"]; got != 9.80 {
		t.Errorf("reply p99 = %v, want 9.80", got)
	}
	if got := res["BenchmarkCounsellorReply"]["req/s"]; got != 1402 {
		t.Errorf("reply req/s = %v, want 1402", got)
	}
	if got := res["BenchmarkChatDelivery/think=0s"]["p99-ms"]; got != 48.5 {
		t.Errorf("delivery p99 = %v, want 48.5", got)
	}
}

func TestLatencyQuantiles(t *testing.T) {
	var l latencies
	for i := 1; i <= 100; i++ {
		l.add(time.Duration(i) * time.Millisecond)
	}
	if p := l.pct(0.99); p != 100 {
		t.Errorf("p99 = %v ms, want 100", p)
	}
	if p := l.pct(0.5); p != 51 {
		t.Errorf("p50 = %v ms, want 51", p)
	}
}
