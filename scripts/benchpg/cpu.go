package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

var postmaster = flag.Int("postmaster-pid", 0, "the PostgreSQL server's process id, to count its processes' CPU (make bench-postgres passes it); 0: not counted")

// clockTicks is the unit of the times in /proc (USER_HZ), 100 on Linux.
const clockTicks = 100

// cpuUse is where the machine's CPU time went between two looks, in ticks.
type cpuUse struct {
	postgres, nodes, driver, busy float64
	took                          time.Duration
}

type cpuMeter struct {
	nodes []int
	t0    time.Time
	start cpuUse
}

// startCPU starts counting the CPU time of PostgreSQL (the server and every
// process it started), of the node processes given, of this driver and of
// the whole machine.
func startCPU(nodes []int) *cpuMeter {
	if *postmaster > 0 {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", *postmaster)); err != nil || strings.TrimSpace(string(b)) != "postgres" {
			fmt.Fprintf(os.Stderr, "  (process %d is no PostgreSQL server: its CPU is counted as the rest of the machine's)\n", *postmaster)
		}
	}
	return &cpuMeter{nodes: nodes, t0: time.Now(), start: cpuNow(nodes)}
}

func (m *cpuMeter) stop() cpuUse {
	end := cpuNow(m.nodes)
	return cpuUse{postgres: end.postgres - m.start.postgres, nodes: end.nodes - m.start.nodes,
		driver: end.driver - m.start.driver, busy: end.busy - m.start.busy, took: time.Since(m.t0)}
}

// String says, in cores, what each used on average; driver names the load
// generator.
func (u cpuUse) String(driver string) string {
	secs := u.took.Seconds()
	core := func(ticks float64) float64 { return ticks / clockTicks / secs }
	parts := []string{fmt.Sprintf("PostgreSQL %.2f", core(u.postgres))}
	if u.nodes > 0 {
		parts = append(parts, fmt.Sprintf("nodes %.2f", core(u.nodes)))
	}
	parts = append(parts, fmt.Sprintf("%s %.2f", driver, core(u.driver)))
	others := core(u.busy) - core(u.postgres) - core(u.nodes) - core(u.driver)
	parts = append(parts, fmt.Sprintf("rest of machine %.2f", max(0, others)))
	return strings.Join(parts, ", ") + fmt.Sprintf(" of %d cores", runtime.NumCPU())
}

func cpuNow(nodes []int) cpuUse {
	var u cpuUse
	// The driver's children (pgbench, once it has ended) count as the
	// driver's.
	u.driver = procTicks(os.Getpid(), true)
	for _, pid := range nodes {
		u.nodes += procTicks(pid, false)
	}
	if *postmaster > 0 {
		// Backends that ended count in the server's children's times.
		u.postgres = procTicks(*postmaster, true)
		procs, _ := filepath.Glob("/proc/[0-9]*/stat")
		for _, p := range procs {
			pid, _ := strconv.Atoi(strings.Split(p, "/")[2])
			if parent(pid) == *postmaster {
				u.postgres += procTicks(pid, false)
			}
		}
	}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line)
		for i, v := range f[1:] {
			n, _ := strconv.ParseFloat(v, 64)
			// idle and iowait are the fourth and fifth, steal (time the
			// host gave another machine) the eighth; guest times are in
			// user already.
			if i != 3 && i != 4 && i < 7 {
				u.busy += n
			}
		}
	}
	return u
}

// statFields are the fields of /proc/pid/stat after the command's name.
func statFields(pid int) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(s[i+1:])
}

func parent(pid int) int {
	f := statFields(pid)
	if len(f) < 2 {
		return 0
	}
	p, _ := strconv.Atoi(f[1])
	return p
}

// procTicks is a process's user and system time, with its ended children's
// when children is set.
func procTicks(pid int, children bool) float64 {
	f := statFields(pid)
	// utime, stime, cutime and cstime are fields 14 to 17 of stat, the
	// 12th to 15th after the name.
	if len(f) < 15 {
		return 0
	}
	var t float64
	last := 12
	if children {
		last = 14
	}
	for _, v := range f[11 : last+1] {
		n, _ := strconv.ParseFloat(v, 64)
		t += n
	}
	return t
}
