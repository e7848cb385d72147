package web

import (
	"net/http"
	"testing"
)

func TestPeerHostCountsIPv6HouseholdsAndTunnels(t *testing.T) {
	for _, tc := range []struct {
		name, a, b              string
		sameClient, sameNetwork bool
	}{
		{"two ports of one IPv4 address", "192.0.2.7:1000", "192.0.2.7:2000", true, true},
		{"two IPv4 addresses", "192.0.2.7:1000", "192.0.2.8:1000", false, false},
		{"two /64s of one household's /56", "[2001:db8:0:1200::1]:1", "[2001:db8:0:12ff::1]:1", true, true},
		{"two /56s of one tunnel's /48", "[2001:db8:0:1200::1]:1", "[2001:db8:0:1300::1]:1", false, true},
		{"two /48s", "[2001:db8:0:1200::1]:1", "[2001:db8:1:1200::1]:1", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ca, na := peerHost(&http.Request{RemoteAddr: tc.a})
			cb, nb := peerHost(&http.Request{RemoteAddr: tc.b})
			if (ca == cb) != tc.sameClient {
				t.Errorf("clients %q and %q: same = %v, want %v", ca, cb, ca == cb, tc.sameClient)
			}
			if (na == nb) != tc.sameNetwork {
				t.Errorf("networks %q and %q: same = %v, want %v", na, nb, na == nb, tc.sameNetwork)
			}
		})
	}
}
