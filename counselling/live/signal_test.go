package live

import (
	"strings"
	"testing"
)

func TestRelayCandidate(t *testing.T) {
	for _, tc := range []struct {
		name, line, want string
		ok               bool
	}{
		{"relay over udp", "candidate:1 1 udp 41885439 127.0.0.1 50000 typ relay raddr 0.0.0.0 rport 0 generation 0", "candidate:1 1 udp 41885439 127.0.0.1 50000 typ relay raddr 0.0.0.0 rport 0 generation 0", true},
		{"relay naming the browser's address", "candidate:2 1 tcp 25108223 203.0.113.9 50001 typ relay raddr 198.51.100.7 rport 61234 tcptype passive", "candidate:2 1 tcp 25108223 203.0.113.9 50001 typ relay raddr 0.0.0.0 rport 0 tcptype passive", true},
		{"relay as an SDP line", "a=candidate:1 1 udp 41885439 127.0.0.1 50000 typ relay", "a=candidate:1 1 udp 41885439 127.0.0.1 50000 typ relay", true},
		{"end of candidates", "", "", true},
		{"host", "candidate:3 1 udp 2122260223 192.168.1.20 54321 typ host generation 0", "", false},
		{"mdns host", "candidate:3 1 udp 2122260223 4f1a2b3c.local 54321 typ host", "", false},
		{"server reflexive", "candidate:4 1 udp 1686052607 198.51.100.7 54321 typ srflx raddr 192.168.1.20 rport 54321", "", false},
		{"peer reflexive", "candidate:5 1 udp 1845501695 198.51.100.7 54321 typ prflx", "", false},
		{"relay word in the wrong place", "candidate:6 1 udp 1 relay 54321 typ host", "", false},
		{"relay in an extension", "candidate:7 1 udp 1 10.0.0.1 54321 typ host generation relay", "", false},
		{"truncated", "candidate:8 1 udp 1 10.0.0.1", "", false},
		{"not a candidate", "typ relay typ relay typ relay", "", false},
	} {
		got, ok := RelayCandidate(tc.line)
		if ok != tc.ok || got != tc.want {
			t.Errorf("%s: RelayCandidate(%q) = %q, %v; want %q, %v", tc.name, tc.line, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRelayOnlySDP(t *testing.T) {
	sdp := strings.Join([]string{
		"v=0",
		"o=- 1 2 IN IP4 127.0.0.1",
		"m=audio 9 UDP/TLS/RTP/SAVPF 111",
		"c=IN IP4 0.0.0.0",
		"a=candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host generation 0",
		"a=candidate:2 1 udp 1686052607 198.51.100.7 54321 typ srflx raddr 192.168.1.20 rport 54321",
		"a=candidate:3 1 udp 41885439 127.0.0.1 50000 typ relay raddr 198.51.100.7 rport 54321",
		"a=end-of-candidates",
		"",
	}, "\r\n")
	want := strings.Join([]string{
		"v=0",
		"o=- 1 2 IN IP4 127.0.0.1",
		"m=audio 9 UDP/TLS/RTP/SAVPF 111",
		"c=IN IP4 0.0.0.0",
		"a=candidate:3 1 udp 41885439 127.0.0.1 50000 typ relay raddr 0.0.0.0 rport 0",
		"a=end-of-candidates",
		"",
	}, "\r\n")
	if got := RelayOnlySDP(sdp); got != want {
		t.Errorf("RelayOnlySDP:\n%q\nwant\n%q", got, want)
	}
}

func TestMaySignal(t *testing.T) {
	for _, tc := range []struct {
		side, typ string
		want      bool
	}{
		{FromCounsellor, TypeCallOffer, true},
		{FromSeeker, TypeCallOffer, false},
		{FromSeeker, TypeCallJoin, true},
		{FromCounsellor, TypeCallJoin, false},
		{FromSeeker, TypeCallSDP, true},
		{FromCounsellor, TypeCallICE, true},
		{FromSeeker, TypeCallEnd, true},
		{FromSeeker, TypeCallConfig, false},
		{FromCounsellor, TypeCallConfig, false},
		{"", TypeCallSDP, false},
		{FromSeeker, TypeSend, false},
	} {
		if got := MaySignal(tc.side, tc.typ); got != tc.want {
			t.Errorf("MaySignal(%q, %q) = %v, want %v", tc.side, tc.typ, got, tc.want)
		}
	}
}
