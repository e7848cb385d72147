package turn

import (
	"bufio"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// relayProcess is a relay running in a child process (see TestMain).
type relayProcess struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	out   *bufio.Reader
	relay *Relay // only Addr is used: a stand-in carrying the child's address
	creds [2]ICEServer
}

func startRelayProcess(b *testing.B) *relayProcess {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LIVEBENCH_RELAY=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	p := &relayProcess{cmd: cmd, in: in, out: bufio.NewReader(out)}
	b.Cleanup(func() {
		in.Close()
		cmd.Wait()
	})
	line, err := p.out.ReadString('\n')
	f := strings.Fields(line)
	if err != nil || len(f) != 5 {
		b.Fatalf("relay process: %q %v", line, err)
	}
	_, port, _ := net.SplitHostPort(f[0])
	p.relay = &Relay{relayIP: netip.MustParseAddr("127.0.0.1")}
	p.relay.port, _ = strconv.Atoi(port)
	p.creds = [2]ICEServer{{Username: f[1], Credential: f[2]}, {Username: f[3], Credential: f[4]}}
	return p
}

// cpu is the relay process's CPU time so far.
func (p *relayProcess) cpu(b *testing.B) time.Duration {
	b.Helper()
	if _, err := io.WriteString(p.in, "cpu\n"); err != nil {
		b.Fatal(err)
	}
	line, err := p.out.ReadString('\n')
	ns, perr := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
	if err != nil || perr != nil {
		b.Fatalf("relay process cpu: %q %v", line, err)
	}
	return time.Duration(ns)
}

func ownCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return cpuTime(ru)
}

// BenchmarkRelayCall relays one two-party call through the relay on
// loopback: two pion TURN clients over UDP, each with its own allocation and
// credentials, send each other 1,200-byte packets. "video" sends like a
// 2.5 Mbit/s video stream each way (30 frames a second of 9 packets) for
// LIVEBENCH_RELAY_SECONDS (default 10); "flat-out" sends as fast as the
// clients can for the same time. The relay runs in a child process, so its
// CPU time (relay-CPU-ms/Mbit, relay-CPU-%) is its own; client-CPU-% is the
// two clients' together.
func BenchmarkRelayCall(b *testing.B) {
	seconds := 10
	if v := os.Getenv("LIVEBENCH_RELAY_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("LIVEBENCH_RELAY_SECONDS=%q is not a positive number", v)
		}
		seconds = n
	}
	for _, mode := range []struct {
		name  string
		frame int // packets sent at once; 0: as fast as possible
	}{{"video", 9}, {"flat-out", 0}} {
		b.Run(mode.name, func(b *testing.B) {
			for b.Loop() {
				relayCall(b, time.Duration(seconds)*time.Second, mode.frame)
			}
		})
	}
}

func relayCall(b *testing.B, d time.Duration, frame int) {
	p := startRelayProcess(b)
	a := allocate(b, dial(b, p.relay, "udp", p.creds[0]))
	c := allocate(b, dial(b, p.relay, "udp", p.creds[1]))
	a.WriteTo([]byte("knock"), c.LocalAddr())
	send(b, c, a, "hello from c")
	send(b, a, c, "hello from a")

	var received, sent atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for _, conn := range []net.PacketConn{a, c} {
		wg.Go(func() {
			buf := make([]byte, 1500)
			for {
				conn.SetReadDeadline(time.Now().Add(time.Second))
				n, _, err := conn.ReadFrom(buf)
				if err != nil {
					select {
					case <-stop:
						return
					default:
						continue
					}
				}
				if n == 1200 {
					received.Add(int64(n))
				}
			}
		})
	}
	cpu0, own0, start := p.cpu(b), ownCPU(), time.Now()
	var senders sync.WaitGroup
	for _, pair := range [][2]net.PacketConn{{a, c}, {c, a}} {
		senders.Go(func() {
			packet := make([]byte, 1200)
			to := pair[1].LocalAddr()
			tick := time.NewTicker(time.Second / 30)
			defer tick.Stop()
			for time.Since(start) < d {
				if frame == 0 {
					if _, err := pair[0].WriteTo(packet, to); err == nil {
						sent.Add(1200)
					}
					continue
				}
				for range frame {
					if _, err := pair[0].WriteTo(packet, to); err == nil {
						sent.Add(1200)
					}
				}
				<-tick.C
			}
		})
	}
	senders.Wait()
	time.Sleep(200 * time.Millisecond) // what is still under way arrives
	elapsed := time.Since(start)
	cpu1, own1 := p.cpu(b), ownCPU()
	close(stop)
	wg.Wait()

	mbit := float64(received.Load()) * 8 / 1e6
	relayCPU := cpu1 - cpu0
	b.ReportMetric(mbit/d.Seconds(), "Mbit/s")
	b.ReportMetric(100*(1-float64(received.Load())/float64(max(sent.Load(), 1))), "loss-%")
	b.ReportMetric(float64(relayCPU.Microseconds())/1000/mbit, "relay-CPU-ms/Mbit")
	b.ReportMetric(100*relayCPU.Seconds()/elapsed.Seconds(), "relay-CPU-%")
	b.ReportMetric(100*(own1-own0).Seconds()/elapsed.Seconds(), "client-CPU-%")
}
