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
