package live

import (
	"encoding/json"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// Whatever a browser sends on the chat socket, decoding it never panics, and
// a frame that decodes says the same after the server writes it out and
// reads it again (a frame the server forwards is the frame it understood).
func FuzzDecodeFrame(f *testing.F) {
	for _, s := range []string{
		`{"type":"hello","last":3}`,
		`{"type":"send","id":"c1","body":"Ich kann nicht schlafen"}`,
		`{"type":"call-sdp","call":{"sdp":{"type":"offer","sdp":"v=0\r\n"}}}`,
		`{"type":"call-ice","call":{"candidate":{"candidate":"candidate:1 1 udp 1 192.0.2.1 5000 typ host"}}}`,
		`{"type":"typing","seq":-1,"place":1e3}`,
		`[1,2,3]`, `null`, `{"type":`, "\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := Decode(data)
		if err != nil {
			return
		}
		out, err := json.Marshal(fr)
		if err != nil {
			t.Fatalf("a decoded frame cannot be written: %v", err)
		}
		again, err := Decode(out)
		if err != nil {
			t.Fatalf("the server's own frame does not decode: %v", err)
		}
		if !reflect.DeepEqual(fr, again) {
			t.Fatalf("round trip changed the frame:\n%+v\n%+v", fr, again)
		}
	})
}

// No SDP the server passes on names an address of either browser's own
// network: every candidate left is a relay candidate whose related address
// is blanked, and filtering twice changes nothing.
func FuzzRelayOnlySDP(f *testing.F) {
	f.Add("v=0\r\na=candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host\r\na=candidate:2 1 udp 8331263 203.0.113.7 3478 typ relay raddr 198.51.100.9 rport 61000\r\na=end-of-candidates\r\n")
	f.Add("a=candidate:3 1 tcp 1 10.0.0.1 9 typ srflx raddr 10.0.0.1 rport 9\n")
	f.Add("a=candidate:4 1 udp 1 fe80::1 5000 typ relay raddr fe80::2 rport 1 raddr 192.0.2.1\n")
	f.Add("a=candidate:")
	f.Fuzz(func(t *testing.T, sdp string) {
		out := RelayOnlySDP(sdp)
		for _, line := range strings.Split(out, "\n") {
			line = strings.TrimRight(line, "\r")
			if !strings.HasPrefix(line, "a=candidate:") {
				continue
			}
			fields := strings.Fields(line)
			if len(fields) < 8 || fields[6] != "typ" || fields[7] != "relay" {
				t.Fatalf("a candidate that is no relay candidate passed: %q", line)
			}
			for i := 8; i+1 < len(fields); i += 2 {
				if fields[i] == "raddr" && fields[i+1] != "0.0.0.0" {
					t.Fatalf("a related address passed: %q", line)
				}
			}
		}
		if again := RelayOnlySDP(out); again != out {
			t.Fatalf("filtering twice changes the SDP:\n%q\n%q", out, again)
		}
	})
}

// A trickled candidate passes only as a relay candidate, and then names no
// address but the relay's own (the one before "typ").
func FuzzRelayCandidate(f *testing.F) {
	f.Add("candidate:2 1 udp 8331263 203.0.113.7 3478 typ relay raddr 198.51.100.9 rport 61000 generation 0")
	f.Add("candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host")
	f.Add("")
	f.Add("a=candidate:1 1 udp 1 1.2.3.4 1 typ relay raddr")
	f.Add("candidate:1 1 udp 1 203.0.113.7 3478 typ relay tcptype raddr 192.168.1.20 rport 5")
	f.Fuzz(func(t *testing.T, line string) {
		out, ok := RelayCandidate(line)
		if !ok || out == "" {
			return
		}
		fields := strings.Fields(out)
		if len(fields) < 8 || fields[6] != "typ" || fields[7] != "relay" {
			t.Fatalf("passed %q as %q", line, out)
		}
		for i, fld := range fields {
			if i == 4 || fld == "0.0.0.0" {
				continue
			}
			if _, err := netip.ParseAddr(fld); err == nil && i > 7 && fields[i-1] == "raddr" {
				t.Fatalf("a related address passed: %q", out)
			}
		}
	})
}

// Whatever a browser sends on a group call's socket, decoding it never
// panics and a decoded frame means the same after it is written and read
// again; and what GroupSignal forwards goes only to the peer the frame names,
// from its sender, as an offer or answer holding only relay candidates or as
// one relay candidate, never naming an address of a participant's network.
func FuzzGroupFrame(f *testing.F) {
	for _, s := range []string{
		`{"type":"hello"}`,
		`{"type":"call-sdp","peer":"p2","call":{"sdp":{"type":"offer","sdp":"v=0\r\na=candidate:1 1 udp 1 192.168.1.2 5000 typ host\r\na=candidate:2 1 udp 1 203.0.113.7 3478 typ relay raddr 10.0.0.1 rport 9\r\n"}}}`,
		`{"type":"call-sdp","peer":"p2","call":{"sdp":{"type":"rollback","sdp":""}}}`,
		`{"type":"call-ice","peer":"p3","call":{"candidate":{"candidate":"candidate:1 1 udp 1 192.0.2.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0}}}`,
		`{"type":"call-ice","peer":"p3","call":{"candidate":{"candidate":"candidate:2 1 udp 8331263 203.0.113.7 3478 typ relay raddr 198.51.100.9 rport 61000"}}}`,
		`{"type":"call-ice","peer":"p1","call":{}}`,
		`{"type":"group-remove","peer":"p4"}`,
		`{"type":"call-log","call":{"code":701}}`,
		`{"type":"group","peers":[],"you":"p1"}`,
		`{"type":"call-sdp","peer":"p2","call":null}`,
		`{"type":1}`, `[]`, `null`, `{"type":"call-ice","call":{"candidate":{"sdpMLineIndex":1e99}}}`, "\xff",
	} {
		f.Add([]byte(s), "p1")
	}
	f.Fuzz(func(t *testing.T, data []byte, from string) {
		fr, err := DecodeGroupFrame(data)
		if err != nil {
			return
		}
		out, err := json.Marshal(fr)
		if err != nil {
			t.Fatalf("a decoded frame cannot be written: %v", err)
		}
		again, err := DecodeGroupFrame(out)
		if err != nil {
			t.Fatalf("the server's own frame does not decode: %v\n%s", err, out)
		}
		// An empty list of peers and none say the same; compare what the
		// frame says, as it is written.
		if out2, _ := json.Marshal(again); string(out2) != string(out) {
			t.Fatalf("round trip changed the frame:\n%s\n%s", out, out2)
		}
		sig, forward, ok := GroupSignal(fr, from)
		if !ok || !forward {
			if forward {
				t.Fatal("an unreadable frame is forwarded")
			}
			return
		}
		if fr.Type != TypeCallSDP && fr.Type != TypeCallICE {
			t.Fatalf("a %q frame passed as signalling", fr.Type)
		}
		if sig.Type != fr.Type || sig.ID != fr.Peer || sig.ID == "" || sig.ID == from || sig.From != from || sig.Call == nil {
			t.Fatalf("signal addressed wrongly: %+v from %q for %+v", sig, from, fr)
		}
		c := sig.Call
		if c.Voice || len(c.ICEServers) > 0 || c.Code != 0 {
			t.Fatalf("a signal carries more than a description or candidate: %+v", c)
		}
		switch sig.Type {
		case TypeCallSDP:
			if c.SDP == nil || c.Candidate != nil || (c.SDP.Type != "offer" && c.SDP.Type != "answer") {
				t.Fatalf("a description passed as %+v", c)
			}
			if RelayOnlySDP(c.SDP.SDP) != c.SDP.SDP {
				t.Fatalf("a description passed unfiltered: %q", c.SDP.SDP)
			}
		case TypeCallICE:
			if c.Candidate == nil || c.SDP != nil {
				t.Fatalf("a candidate passed as %+v", c)
			}
			if got, ok := RelayCandidate(c.Candidate.Candidate); !ok || got != c.Candidate.Candidate {
				t.Fatalf("a candidate passed unfiltered: %q", c.Candidate.Candidate)
			}
		}
	})
}
