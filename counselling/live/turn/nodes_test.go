package turn

import (
	"net"
	"net/netip"
	"testing"
	"time"
)

// listenAs starts a node's relay on ip, which treats others, the other
// nodes' relay addresses, as the public addresses they stand for.
func listenAs(t testing.TB, ip string, others ...string) *Relay {
	t.Helper()
	cfg := Config{Addr: net.JoinHostPort(ip, "0")}
	for _, o := range others {
		cfg.standIns = append(cfg.standIns, netip.MustParseAddr(o))
	}
	r, err := Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// silence reports whether nothing reaches to within a while when from sends
// to it, a few times.
func silence(from, to net.PacketConn) bool {
	for range 5 {
		from.WriteTo([]byte("probe"), to.LocalAddr())
	}
	to.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	_, _, err := to.ReadFrom(make([]byte, 1500))
	return err != nil
}

// The two sides of a call may be given the relays of two nodes, each with
// an address of its own (here 127.0.0.1 and 127.0.0.2 stand for the two
// nodes' public addresses): each side allocates on its node's relay with
// that relay's credentials, opens a permission for the other's relayed
// address, and datagrams pass both ways through both relays.
func TestACallThroughTwoNodesRelays(t *testing.T) {
	for _, transports := range [][2]string{{"udp", "udp"}, {"tcp", "udp"}} {
		t.Run(transports[0]+"-"+transports[1], func(t *testing.T) {
			one, two := listenAs(t, "127.0.0.1", "127.0.0.2"), listenAs(t, "127.0.0.2", "127.0.0.1")
			now := time.Now()
			// Each node makes credentials with a secret of its own.
			if relayed, err := dial(t, one, "udp", two.Credentials(now, time.Hour)).Allocate(); err == nil {
				relayed.Close()
				t.Fatal("one node's relay accepted another node's credentials")
			}
			a := allocate(t, dial(t, one, transports[0], one.Credentials(now, time.Hour)))
			b := allocate(t, dial(t, two, transports[1], two.Credentials(now, time.Hour)))
			if host, _, _ := net.SplitHostPort(b.LocalAddr().String()); host != "127.0.0.2" {
				t.Fatalf("the second node's relayed address %s is not on its own address", b.LocalAddr())
			}
			// Each side opens a permission on its relay for the other's
			// relayed address by sending first.
			a.WriteTo([]byte("knock"), b.LocalAddr())
			b.WriteTo([]byte("knock"), a.LocalAddr())
			send(t, a, b, "hello from a, through both relays")
			send(t, b, a, "hello from b, through both relays")

			// Neither relay lets anyone reach its network: loopback or
			// private addresses that are no relay's are refused.
			client := dial(t, one, "udp", one.Credentials(now, time.Hour))
			relayed := allocate(t, client)
			for _, peer := range []string{"127.0.0.3", "10.0.0.1", "192.168.1.1", "172.16.0.1", "169.254.169.254", "::1"} {
				addr := &net.UDPAddr{IP: net.ParseIP(peer), Port: 9}
				if err := client.CreatePermission(addr); err == nil {
					t.Errorf("a permission to %s was granted", peer)
				}
				if _, err := relayed.WriteTo([]byte("probe"), addr); err == nil {
					t.Errorf("sending to %s through the relay succeeded", peer)
				}
			}
		})
	}
}

// Two relays that share one address cannot carry a call between them: a
// relay sends to its own address only on its own relayed ports, so that
// nobody reaches another service on its host through it, and it cannot know
// another relay's ports there. That is why each node needs an address of its
// own for its relay.
func TestTwoRelaysOnOneAddressRefuseEachOther(t *testing.T) {
	one, other := listenAs(t, "127.0.0.1"), listenAs(t, "127.0.0.1")
	now := time.Now()
	a := allocate(t, dial(t, one, "udp", one.Credentials(now, time.Hour)))
	b := allocate(t, dial(t, other, "udp", other.Credentials(now, time.Hour)))
	a.WriteTo([]byte("knock"), b.LocalAddr())
	b.WriteTo([]byte("knock"), a.LocalAddr())
	if !silence(a, b) || !silence(b, a) {
		t.Fatal("a relay sent to another relay's port on its own address")
	}
}
