package main

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	pionturn "github.com/pion/turn/v4"
)

// turnAddrOf is the relay address the office-open line names.
func turnAddrOf(t *testing.T, logs string) string {
	t.Helper()
	m := regexp.MustCompile(`msg="office open".* turn=(\S+)`).FindStringSubmatch(logs)
	if m == nil {
		t.Fatalf("the office-open line does not name the call relay:\n%s", logs)
	}
	return m[1]
}

// stunBinding asks the server at addr, over conn, for the address it sees.
func stunBinding(t *testing.T, addr string, conn net.PacketConn) error {
	t.Helper()
	client, err := pionturn.NewClient(&pionturn.ClientConfig{
		STUNServerAddr: addr, TURNServerAddr: addr, Conn: conn, RTO: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if err := client.Listen(); err != nil {
		t.Fatal(err)
	}
	_, err = client.SendBindingRequest()
	return err
}

// A running office answers on its TURN port over UDP and TCP, says where in
// its open line, and closes the port when it stops.
func TestTheOfficeRunsItsCallRelay(t *testing.T) {
	office := start(t, filepath.Join(t.TempDir(), "data"))
	addr := turnAddrOf(t, office.stderr.String())
	if !strings.HasPrefix(addr, "127.0.0.1:") || addr == "127.0.0.1:0" {
		t.Fatalf("the relay listens on %s", addr)
	}
	udp, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	if err := stunBinding(t, addr, udp); err != nil {
		t.Fatalf("the relay does not answer over UDP: %v", err)
	}
	tcp, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("the relay does not accept TCP: %v", err)
	}
	stun := pionturn.NewSTUNConn(tcp)
	defer stun.Close()
	if err := stunBinding(t, addr, stun); err != nil {
		t.Fatalf("the relay does not answer over TCP: %v", err)
	}

	if err := office.stop(); err != nil {
		t.Fatal(err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatal("the relay still accepts connections after the office stopped")
	}
}

// --turn-addr off runs no relay, even where the environment names a port:
// the flag wins, nothing binds that port, and the open line says calls are off.
func TestTURNOffStartsNoRelay(t *testing.T) {
	taken, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	env := map[string]string{"CONFIDANT_TURN_ADDR": taken.LocalAddr().String()}
	office := startEnv(t, filepath.Join(t.TempDir(), "data"), func(k string) string { return env[k] }, "--turn-addr", "off")
	if addr := turnAddrOf(t, office.stderr.String()); addr != "off" {
		t.Fatalf("with --turn-addr off the open line names a relay on %s", addr)
	}
	office.stop()

	env["CONFIDANT_TURN_ADDR"] = "off"
	office = startEnv(t, filepath.Join(t.TempDir(), "data"), func(k string) string { return env[k] })
	if addr := turnAddrOf(t, office.stderr.String()); addr != "off" {
		t.Fatalf("with CONFIDANT_TURN_ADDR=off the open line names a relay on %s", addr)
	}
}

// A taken TURN port, over UDP or over TCP, or a relay address browsers could
// not reach, stops the start like a taken main port: with one line naming
// the flag, before the data folder and the keys exist.
func TestATakenTURNPortStopsTheStart(t *testing.T) {
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	for name, args := range map[string][]string{
		"udp taken":          {"--turn-addr", udp.LocalAddr().String()},
		"tcp taken":          {"--turn-addr", tcp.Addr().String()},
		"wildcard, no relay": {"--turn-addr", "0.0.0.0:0"},
		"relay not an IP":    {"--turn-addr", "127.0.0.1:0", "--turn-relay-ip", "turn.example"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			// Were the problem only logged, the office would run: the
			// deadline turns that into a failure instead of a test that
			// never ends.
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err := NewMain(io.Discard, io.Discard, func(string) string { return "" }).Run(ctx,
				append([]string{"serve", "--addr", "127.0.0.1:0", "--data", dir}, args...))
			if err == nil || !strings.Contains(err.Error(), "--turn-") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("start: %v", err)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("a start that could not run its relay left a data folder behind: %v", err)
			}
		})
	}
}
