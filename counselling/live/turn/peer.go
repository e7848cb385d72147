package turn

import "net/netip"

// translated holds address ranges that the standard library does not call
// private or loopback but that lead into a private network all the same: the
// "this network" block, carrier-grade NAT space, IETF and benchmarking blocks,
// the reserved block with the broadcast address, and the IPv6 ranges that
// embed an IPv4 address for translation (NAT64, 6to4, IPv4-compatible).
var translated = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("::/96"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2002::/16"),
}

// MayRelayTo reports whether the relay, whose relayed address is relay, may
// send to and accept data from peer. A call's two browsers both talk through
// this relay, so the peer each of them needs is the relay's own address; or,
// on an office of several nodes, through the relays of two nodes, and then
// the peer is the other node's relay, on that node's own public address. A peer
// inside the office's own network (loopback, private, link-local, unspecified,
// multicast and the like) is refused, so that nobody can use the relay to
// reach machines the internet cannot. The relay's own address is allowed even
// where it is such an address itself, as 127.0.0.1 is in tests.
func MayRelayTo(peer, relay netip.Addr) bool {
	peer, relay = peer.Unmap(), relay.Unmap()
	if !peer.IsValid() {
		return false
	}
	if peer == relay {
		return true
	}
	if peer.IsUnspecified() || peer.IsLoopback() || peer.IsPrivate() ||
		peer.IsLinkLocalUnicast() || peer.IsMulticast() {
		return false
	}
	for _, p := range translated {
		if p.Contains(peer) {
			return false
		}
	}
	return true
}

// maySendTo reports whether a relayed socket may send to peer. On top of
// MayRelayTo, which permissions check and which knows only the peer's IP, a
// datagram to the relay's own address must go to one of the relay's live
// relayed ports: nobody may reach the TURN port itself or any other service
// on the relay's host through the relay.
func maySendTo(peer netip.AddrPort, relay netip.Addr, relayed func(port uint16) bool) bool {
	if !MayRelayTo(peer.Addr(), relay) {
		return false
	}
	return peer.Addr().Unmap() != relay.Unmap() || relayed(peer.Port())
}
