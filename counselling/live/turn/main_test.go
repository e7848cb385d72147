package turn

import (
	"bufio"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestMain runs the tests, or, started by BenchmarkRelayCall as its relay
// process, runs a relay alone, so that its CPU time is measured without the
// clients'.
func TestMain(m *testing.M) {
	if os.Getenv("LIVEBENCH_RELAY") != "" {
		os.Exit(serveRelay())
	}
	os.Exit(m.Run())
}

// serveRelay runs a relay on loopback and prints its address and two
// participants' credentials; it answers each "cpu" line on its input with
// the CPU time it has used so far, in nanoseconds, until its input ends.
func serveRelay() int {
	r, err := Listen(Config{Addr: "127.0.0.1:0"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer r.Close()
	a, b := r.Credentials(time.Now(), time.Hour), r.Credentials(time.Now(), time.Hour)
	fmt.Println(r.Addr(), a.Username, a.Credential, b.Username, b.Credential)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		fmt.Println(cpuTime(ru).Nanoseconds())
	}
	return 0
}

func cpuTime(ru syscall.Rusage) time.Duration {
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
