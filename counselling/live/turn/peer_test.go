package turn

import (
	"net/netip"
	"testing"
)

func TestMayRelayTo(t *testing.T) {
	public := netip.MustParseAddr("203.0.113.7")
	loopback := netip.MustParseAddr("127.0.0.1")
	for _, tc := range []struct {
		peer  string
		relay netip.Addr
		want  bool
	}{
		// The relay's own address is what the two browsers of a call reach.
		{"203.0.113.7", public, true},
		{"::ffff:203.0.113.7", public, true},
		{"127.0.0.1", loopback, true},
		// Other public peers are ordinary internet hosts.
		{"198.51.100.20", public, true},
		{"2001:db8::1", public, true},
		// Loopback, other than the relay's own address.
		{"127.0.0.1", public, false},
		{"127.0.0.2", loopback, false},
		{"::1", loopback, false},
		{"::ffff:127.0.0.1", public, false},
		// Private networks.
		{"10.0.0.1", public, false},
		{"172.16.5.4", public, false},
		{"172.31.255.255", public, false},
		{"192.168.1.1", public, false},
		{"::ffff:192.168.1.1", public, false},
		{"fc00::1", public, false},
		{"fd12:3456::1", public, false},
		// Link-local, such as cloud metadata services.
		{"169.254.169.254", public, false},
		{"fe80::1", public, false},
		// Unspecified.
		{"0.0.0.0", public, false},
		{"::", public, false},
		// Multicast and broadcast.
		{"224.0.0.1", public, false},
		{"239.255.255.250", public, false},
		{"ff02::1", public, false},
		{"255.255.255.255", public, false},
		// Ranges that lead into a private network by translation.
		{"100.64.0.1", public, false},
		{"0.1.2.3", public, false},
		{"64:ff9b::a00:1", public, false},
		{"2002:a00:1::1", public, false},
	} {
		if got := MayRelayTo(netip.MustParseAddr(tc.peer), tc.relay); got != tc.want {
			t.Errorf("MayRelayTo(%s) with the relay on %s = %v, want %v", tc.peer, tc.relay, got, tc.want)
		}
	}
	if MayRelayTo(netip.Addr{}, public) {
		t.Error("an invalid peer address may be relayed to")
	}
}

func TestMaySendTo(t *testing.T) {
	relay := netip.MustParseAddr("203.0.113.7")
	relayed := func(port uint16) bool { return port == 50000 || port == 50002 }
	for _, tc := range []struct {
		peer string
		want bool
	}{
		// Another allocation of this relay: the other side of a call.
		{"203.0.113.7:50000", true},
		{"[::ffff:203.0.113.7]:50002", true},
		// The TURN port itself, a port no allocation holds, another service.
		{"203.0.113.7:3478", false},
		{"203.0.113.7:50001", false},
		{"203.0.113.7:53", false},
		// Any port of a public peer; no port of a private one.
		{"198.51.100.20:53", true},
		{"10.0.0.1:50000", false},
		{"127.0.0.1:50000", false},
	} {
		if got := maySendTo(netip.MustParseAddrPort(tc.peer), relay, relayed); got != tc.want {
			t.Errorf("maySendTo(%s) = %v, want %v", tc.peer, got, tc.want)
		}
	}
}
