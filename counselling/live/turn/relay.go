// Package turn is the office's own TURN relay for calls. Both browsers of a
// call send their media through it (iceTransportPolicy "relay"), so that
// neither learns the other's IP address and no STUN or TURN server of a third
// party is ever involved. It listens on UDP and, for networks that block UDP,
// on TCP at the same port; it hands out short-lived credentials in the TURN
// REST style and relays only to its own address and to public ones, such as
// another node's relay (see MayRelayTo).
package turn

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"confidant/counselling"

	"github.com/pion/logging"
	pionturn "github.com/pion/turn/v4"
)

// Realm is the TURN realm the relay announces.
const Realm = "confidant"

// Config says where the relay listens and which address it relays on.
type Config struct {
	// Addr is the UDP and TCP listen address, host:port. Port 0 picks a port
	// free on both.
	Addr string
	// RelayIP is the address browsers are given, in the turn: URL and as the
	// relayed address; empty means the host of Addr.
	RelayIP string
	// Clock decides whether a credential has expired; nil is the wall clock.
	Clock counselling.Clock
	// standIns are loopback addresses the relay treats as public ones: the
	// package's tests run two nodes' relays on one machine, each on an
	// address of its own, where those addresses stand for the nodes' public
	// addresses. Nothing outside the package can set it.
	standIns []netip.Addr
}

// Relay is a running TURN relay.
type Relay struct {
	server  *pionturn.Server
	relayIP netip.Addr
	port    int
	secret  []byte
	clock   counselling.Clock
}

// ICEServer is one entry of RTCConfiguration.iceServers, as the browser wants it.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username"`
	Credential string   `json:"credential"`
}

// relayIP is the relay address a Config names: RelayIP, or else the host
// of Addr. It must be one address a browser can reach, not a wildcard.
func (c Config) relayIP() (netip.Addr, error) {
	s := c.RelayIP
	if s == "" {
		host, _, err := net.SplitHostPort(c.Addr)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("--turn-addr %q is no host:port", c.Addr)
		}
		s = host
	}
	ip, err := netip.ParseAddr(s)
	if err != nil || ip.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("--turn-relay-ip must be an IP address (got %q)", s)
	}
	ip = ip.Unmap()
	if ip.IsUnspecified() || ip.IsMulticast() {
		return netip.Addr{}, fmt.Errorf("--turn-relay-ip must be the address browsers reach the relay on, not %s", ip)
	}
	return ip, nil
}

// Listen binds the relay's UDP and TCP sockets and starts relaying. A taken
// port or a bad address fails here, before anything else is created.
func Listen(cfg Config) (*Relay, error) {
	relayIP, err := cfg.relayIP()
	if err != nil {
		return nil, err
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("--turn-addr %q is no host:port", cfg.Addr)
	}
	udp, tcp, err := listenBoth(host, port)
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	r := &Relay{
		relayIP: relayIP,
		port:    udp.LocalAddr().(*net.UDPAddr).Port,
		secret:  secret,
		clock:   cfg.Clock,
	}
	if r.clock == nil {
		r.clock = counselling.SystemClock{}
	}
	// Relayed ports are opened on the host the relay listens on, and
	// announced with the relay address: behind a one-to-one NAT the two
	// differ.
	bind := host
	if bind == "" {
		bind = "0.0.0.0"
	} else if strings.Contains(bind, ":") {
		bind = "[" + bind + "]"
	}
	live := &ports{m: map[uint16]bool{}}
	generator := func() pionturn.RelayAddressGenerator {
		return &guardedGenerator{
			static:   &pionturn.RelayAddressGeneratorStatic{RelayAddress: net.IP(relayIP.AsSlice()), Address: bind},
			relayIP:  relayIP,
			ports:    live,
			standIns: cfg.standIns,
		}
	}
	permit := func(_ net.Addr, peer net.IP) bool {
		ip, ok := netip.AddrFromSlice(peer)
		if ok && slices.Contains(cfg.standIns, ip.Unmap()) {
			return true
		}
		return ok && MayRelayTo(ip, relayIP)
	}
	server, err := pionturn.NewServer(pionturn.ServerConfig{
		Realm:             Realm,
		AuthHandler:       r.authenticate,
		LoggerFactory:     silent{},
		PacketConnConfigs: []pionturn.PacketConnConfig{{PacketConn: udp, RelayAddressGenerator: generator(), PermissionHandler: permit}},
		ListenerConfigs:   []pionturn.ListenerConfig{{Listener: tcp, RelayAddressGenerator: generator(), PermissionHandler: permit}},
	})
	if err != nil {
		udp.Close()
		tcp.Close()
		return nil, fmt.Errorf("start TURN relay: %w", err)
	}
	r.server = server
	return r, nil
}

// listenBoth binds UDP and TCP on the same port. With port 0 the system picks
// a UDP port, which may be taken for TCP; then it tries another.
func listenBoth(host, port string) (net.PacketConn, net.Listener, error) {
	for attempt := 0; ; attempt++ {
		udp, err := net.ListenPacket("udp", net.JoinHostPort(host, port))
		if err != nil {
			return nil, nil, fmt.Errorf("listen on --turn-addr (udp): %w", err)
		}
		p := strconv.Itoa(udp.LocalAddr().(*net.UDPAddr).Port)
		tcp, err := net.Listen("tcp", net.JoinHostPort(host, p))
		if err == nil {
			return udp, tcp, nil
		}
		udp.Close()
		if port != "0" || attempt == 20 {
			return nil, nil, fmt.Errorf("listen on --turn-addr (tcp): %w", err)
		}
	}
}

// Close stops relaying and frees the relay's sockets.
func (r *Relay) Close() error {
	return r.server.Close()
}

// Addr is the host:port browsers reach the relay on: the relay address and
// the listening port.
func (r *Relay) Addr() string {
	return netip.AddrPortFrom(r.relayIP, uint16(r.port)).String()
}

// URLs are the office's own turn: URLs, for UDP and for TCP; nothing else.
func (r *Relay) URLs() []string {
	return []string{"turn:" + r.Addr() + "?transport=udp", "turn:" + r.Addr() + "?transport=tcp"}
}

// Credentials returns what one participant's browser needs to use the relay:
// the office's turn: URLs with a username that expires at now+ttl and its
// password. Each call makes a new, random username, so that the relay holds
// nothing that names a person. A browser renews its allocation with the same
// credentials, so ttl must cover the longest call the participant may have.
func (r *Relay) Credentials(now time.Time, ttl time.Duration) ICEServer {
	id := make([]byte, 12)
	rand.Read(id)
	username := strconv.FormatInt(now.Add(ttl).Unix(), 10) + ":" + base64.RawURLEncoding.EncodeToString(id)
	return ICEServer{URLs: r.URLs(), Username: username, Credential: password(r.secret, username)}
}

// password is the TURN REST password of username: base64(HMAC-SHA1(secret,
// username)). SHA-1 is what the TURN REST scheme and browsers use.
func password(secret []byte, username string) string {
	mac := hmac.New(sha1.New, secret)
	mac.Write([]byte(username))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// unexpired reports whether the TURN REST username, "<expiry-unix>:<id>", is
// still valid at now. A username without an expiry never is.
func unexpired(username string, now time.Time) bool {
	expiry, _, ok := strings.Cut(username, ":")
	if !ok {
		return false
	}
	t, err := strconv.ParseInt(expiry, 10, 64)
	if err != nil {
		return false
	}
	return now.Unix() < t
}

// authenticate gives pion the long-term key of a username that has not
// expired. The key derives from the password this relay would have issued,
// so a forged password fails pion's message-integrity check.
func (r *Relay) authenticate(username, realm string, _ net.Addr) ([]byte, bool) {
	if !unexpired(username, r.clock.Now()) {
		return nil, false
	}
	return pionturn.GenerateAuthKey(username, realm, password(r.secret, username)), true
}

// ports is the set of the relay's live relayed ports.
type ports struct {
	mu sync.Mutex
	m  map[uint16]bool
}

func (p *ports) set(port uint16, live bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if live {
		p.m[port] = true
	} else {
		delete(p.m, port)
	}
}

func (p *ports) has(port uint16) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.m[port]
}

// guardedGenerator opens relayed sockets like pion's static generator and
// wraps each, so that it sends only where maySendTo allows.
type guardedGenerator struct {
	static   *pionturn.RelayAddressGeneratorStatic
	relayIP  netip.Addr
	ports    *ports
	standIns []netip.Addr
}

func (g *guardedGenerator) Validate() error { return g.static.Validate() }

func (g *guardedGenerator) AllocatePacketConn(network string, requestedPort int) (net.PacketConn, net.Addr, error) {
	conn, addr, err := g.static.AllocatePacketConn(network, requestedPort)
	if err != nil {
		return nil, nil, err
	}
	port := uint16(addr.(*net.UDPAddr).Port)
	g.ports.set(port, true)
	return &guardedConn{PacketConn: conn, port: port, g: g}, addr, nil
}

// AllocateConn refuses, as pion's static generator does: relayed TCP
// (RFC 6062) is not offered; browsers relay over UDP.
func (g *guardedGenerator) AllocateConn(network string, requestedPort int) (net.Conn, net.Addr, error) {
	return g.static.AllocateConn(network, requestedPort)
}

var errPeerRefused = errors.New("the relay does not send there")

// guardedConn is a relayed socket that sends only where maySendTo allows.
type guardedConn struct {
	net.PacketConn
	port uint16
	g    *guardedGenerator
}

func (c *guardedConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return 0, errPeerRefused
	}
	peer, ok := netip.AddrFromSlice(ua.IP)
	if ok && peer.Unmap() != c.g.relayIP && slices.Contains(c.g.standIns, peer.Unmap()) {
		return c.PacketConn.WriteTo(p, addr)
	}
	if !ok || !maySendTo(netip.AddrPortFrom(peer, uint16(ua.Port)), c.g.relayIP, c.g.ports.has) {
		return 0, errPeerRefused
	}
	return c.PacketConn.WriteTo(p, addr)
}

func (c *guardedConn) Close() error {
	c.g.ports.set(c.port, false)
	return c.PacketConn.Close()
}

// silent is pion's logger factory: pion writes client and peer addresses into
// its messages, and no IP address may reach a log, so nothing is written.
type silent struct{}

func (silent) NewLogger(string) logging.LeveledLogger { return silent{} }

func (silent) Trace(string)          {}
func (silent) Tracef(string, ...any) {}
func (silent) Debug(string)          {}
func (silent) Debugf(string, ...any) {}
func (silent) Info(string)           {}
func (silent) Infof(string, ...any)  {}
func (silent) Warn(string)           {}
func (silent) Warnf(string, ...any)  {}
func (silent) Error(string)          {}
func (silent) Errorf(string, ...any) {}
