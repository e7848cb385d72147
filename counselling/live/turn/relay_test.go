package turn

import (
	"bytes"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"confidant/counselling"

	pionturn "github.com/pion/turn/v4"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func listen(t testing.TB, clk counselling.Clock) *Relay {
	t.Helper()
	r, err := Listen(Config{Addr: "127.0.0.1:0", Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// dial connects a pion TURN client to the relay over transport ("udp" or
// "tcp") with the given credentials.
func dial(t testing.TB, r *Relay, transport string, cred ICEServer) *pionturn.Client {
	t.Helper()
	var conn net.PacketConn
	switch transport {
	case "udp":
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		conn = c
	case "tcp":
		c, err := net.Dial("tcp", r.Addr())
		if err != nil {
			t.Fatal(err)
		}
		conn = pionturn.NewSTUNConn(c)
	}
	client, err := pionturn.NewClient(&pionturn.ClientConfig{
		STUNServerAddr: r.Addr(),
		TURNServerAddr: r.Addr(),
		Conn:           conn,
		Username:       cred.Username,
		Password:       cred.Credential,
		Realm:          Realm,
		RTO:            50 * time.Millisecond,
		LoggerFactory:  silent{},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Listen(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		client.Close()
		conn.Close()
	})
	return client
}

func allocate(t testing.TB, client *pionturn.Client) net.PacketConn {
	t.Helper()
	relayed, err := client.Allocate()
	if err != nil {
		t.Fatalf("allocation refused: %v", err)
	}
	t.Cleanup(func() { relayed.Close() })
	return relayed
}

// send writes msg from one relayed connection to the other's relayed
// address until it arrives, for a bounded number of tries: the first packets
// may race the permission that the receiving side creates.
func send(t testing.TB, from, to net.PacketConn, msg string) {
	t.Helper()
	buf := make([]byte, 1500)
	for try := 0; try < 40; try++ {
		if _, err := from.WriteTo([]byte(msg), to.LocalAddr()); err != nil {
			t.Fatalf("send to the other relayed address: %v", err)
		}
		to.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, src, err := to.ReadFrom(buf)
		if err != nil || bytes.Equal(buf[:n], []byte("knock")) {
			continue
		}
		if !bytes.Equal(buf[:n], []byte(msg)) {
			t.Fatalf("received %q, want %q", buf[:n], msg)
		}
		if src.String() != from.LocalAddr().String() {
			t.Fatalf("the data came from %s, not from the sender's relayed address %s", src, from.LocalAddr())
		}
		return
	}
	t.Fatalf("%q never arrived through the relay", msg)
}

// Two browsers of a call, each relayed by the office, reach each other's
// relayed addresses through the relay, whichever transport each uses.
func TestTwoClientsRelayToEachOther(t *testing.T) {
	for _, pair := range [][2]string{{"udp", "udp"}, {"tcp", "tcp"}, {"udp", "tcp"}} {
		t.Run(pair[0]+"-"+pair[1], func(t *testing.T) {
			r := listen(t, nil)
			now := time.Now()
			a := allocate(t, dial(t, r, pair[0], r.Credentials(now, time.Hour)))
			b := allocate(t, dial(t, r, pair[1], r.Credentials(now, time.Hour)))
			for _, c := range []net.PacketConn{a, b} {
				if host, _, _ := net.SplitHostPort(c.LocalAddr().String()); host != "127.0.0.1" {
					t.Fatalf("relayed address %s is not on the relay address 127.0.0.1", c.LocalAddr())
				}
			}
			// Each side opens a permission for the other by sending first.
			a.WriteTo([]byte("knock"), b.LocalAddr())
			send(t, b, a, "hello from b")
			send(t, a, b, "hello from a")
		})
	}
}

// Nobody can use the relay to reach the office's own network: a permission
// to a private or loopback address is refused, except for the relay's own
// address, which a call needs.
func TestPermissionToPrivateAndLoopbackPeersIsRefused(t *testing.T) {
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			r := listen(t, nil)
			client := dial(t, r, transport, r.Credentials(time.Now(), time.Hour))
			relayed := allocate(t, client)
			for _, peer := range []string{"10.0.0.1", "192.168.1.1", "172.16.0.1", "127.0.0.2", "169.254.169.254", "0.0.0.0", "224.0.0.1"} {
				addr := &net.UDPAddr{IP: net.ParseIP(peer), Port: 9}
				if err := client.CreatePermission(addr); err == nil {
					t.Errorf("a permission to %s was granted", peer)
				}
				if _, err := relayed.WriteTo([]byte("probe"), addr); err == nil {
					t.Errorf("sending to %s through the relay succeeded", peer)
				}
			}
			for _, peer := range []string{"127.0.0.1", "198.51.100.1"} {
				if err := client.CreatePermission(&net.UDPAddr{IP: net.ParseIP(peer), Port: 9}); err != nil {
					t.Errorf("a permission to %s was refused: %v", peer, err)
				}
			}
		})
	}
}

// The relay's own address is open to a call's other side only: its relayed
// ports. A datagram to another service on the relay's host, or to the TURN
// port itself, is not sent, though the permission for the address stands.
func TestOnlyRelayedPortsOfTheRelaysOwnAddressAreReached(t *testing.T) {
	r := listen(t, nil)
	a := allocate(t, dial(t, r, "udp", r.Credentials(time.Now(), time.Hour)))
	b := allocate(t, dial(t, r, "udp", r.Credentials(time.Now(), time.Hour)))
	service, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer service.Close()
	turnPort, err := net.ResolveUDPAddr("udp4", r.Addr())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		a.WriteTo([]byte("probe"), service.LocalAddr())
		a.WriteTo([]byte("probe"), turnPort)
	}
	// The same allocation still reaches the other side of its call, so
	// whatever it sent to the service went no slower.
	b.WriteTo([]byte("knock"), a.LocalAddr())
	send(t, a, b, "hello from a")
	service.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if n, _, err := service.ReadFrom(make([]byte, 1500)); err == nil {
		t.Fatalf("a service on the relay's own address received %d bytes through the relay", n)
	}
}

// A credential is good until its expiry and refused after it; one the relay
// did not issue is refused.
func TestExpiredAndForgedCredentialsAreRefused(t *testing.T) {
	clk := &clock{t: time.Now()}
	r := listen(t, clk)
	cred := r.Credentials(clk.Now(), time.Minute)
	if expiry := strconv.FormatInt(clk.Now().Add(time.Minute).Unix(), 10); !strings.HasPrefix(cred.Username, expiry+":") {
		t.Fatalf("username %q does not start with its expiry %s", cred.Username, expiry)
	}
	allocate(t, dial(t, r, "udp", cred))

	clk.advance(time.Minute)
	for _, transport := range []string{"udp", "tcp"} {
		if relayed, err := dial(t, r, transport, cred).Allocate(); err == nil {
			relayed.Close()
			t.Errorf("an expired credential was accepted over %s", transport)
		}
	}

	fresh := r.Credentials(clk.Now(), time.Hour)
	forged := []ICEServer{
		{Username: fresh.Username, Credential: password([]byte("a guessed secret"), fresh.Username)},
		{Username: fresh.Username, Credential: cred.Credential},
		// An issued password under a username with a later expiry.
		{Username: "9999999999:" + strings.SplitN(cred.Username, ":", 2)[1], Credential: cred.Credential},
		{Username: strings.SplitN(fresh.Username, ":", 2)[1], Credential: password(r.secret, strings.SplitN(fresh.Username, ":", 2)[1])},
	}
	for _, f := range forged {
		if relayed, err := dial(t, r, "udp", f).Allocate(); err == nil {
			relayed.Close()
			t.Errorf("the forged credential %q was accepted", f.Username)
		}
	}
	// The relay still serves genuine credentials after refusing the others.
	allocate(t, dial(t, r, "tcp", fresh))
}

// Browsers are given the office's own relay and nothing else: no STUN server
// and no third party's TURN server.
func TestCredentialsNameOnlyTheOfficesRelay(t *testing.T) {
	r, err := Listen(Config{Addr: "127.0.0.1:0", RelayIP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, port, _ := net.SplitHostPort(r.Addr())
	cred := r.Credentials(time.Now(), time.Hour)
	want := []string{"turn:127.0.0.1:" + port + "?transport=udp", "turn:127.0.0.1:" + port + "?transport=tcp"}
	if len(cred.URLs) != 2 || cred.URLs[0] != want[0] || cred.URLs[1] != want[1] {
		t.Fatalf("URLs %v, want %v", cred.URLs, want)
	}
	if other := r.Credentials(time.Now(), time.Hour); other.Username == cred.Username || other.Credential == cred.Credential {
		t.Fatal("two participants got the same credentials")
	}
}

func TestListenRefusesBadAddresses(t *testing.T) {
	taken, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for _, cfg := range []Config{
		{Addr: taken.LocalAddr().String()},
		{Addr: "0.0.0.0:0"},
		{Addr: "localhost:0"},
		{Addr: "127.0.0.1:0", RelayIP: "relay.example"},
		{Addr: "127.0.0.1:0", RelayIP: "224.0.0.1"},
		{Addr: "127.0.0.1"},
	} {
		if r, err := Listen(cfg); err == nil {
			r.Close()
			t.Errorf("Listen(%+v) succeeded", cfg)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("Listen(%+v) fails with more than one line: %v", cfg, err)
		}
	}
	r, err := Listen(Config{Addr: "0.0.0.0:0", RelayIP: "127.0.0.1"})
	if err != nil {
		t.Fatalf("a wildcard listen address with a relay address: %v", err)
	}
	r.Close()
}

func TestUnexpired(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		username string
		want     bool
	}{
		{"1800000060:abc", true},
		{"1800000001:abc", true},
		{"1800000000:abc", false},
		{"1799999999:abc", false},
		{"-1:abc", false},
		{"1800000060", false},
		{"abc:1800000060", false},
		{":abc", false},
		{"", false},
		{"1800000060x:abc", false},
	} {
		if got := unexpired(tc.username, now); got != tc.want {
			t.Errorf("unexpired(%q) = %v, want %v", tc.username, got, tc.want)
		}
	}
}
