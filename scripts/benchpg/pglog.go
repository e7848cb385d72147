package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
)

var pgLog = flag.String("pglog", "", "the PostgreSQL server's log file, to count which statements lost a serializable race (make bench-postgres passes it); empty: not counted")

// logMark is where the server's log ended, to read what it says from there.
func logMark() int64 {
	if *pgLog == "" {
		return -1
	}
	fi, err := os.Stat(*pgLog)
	if err != nil {
		return -1
	}
	return fi.Size()
}

var (
	raceError = regexp.MustCompile(`ERROR:\s+could not serialize access`)
	statement = regexp.MustCompile(`STATEMENT:\s+(\w+)\s+(?:.*?\b(?:INTO|FROM)\s+)?(\w+)`)
)

// racesSince counts the transactions PostgreSQL cancelled because they
// raced another, by the statement that found the race (its verb and table),
// from what the log says after mark; "" when there is no log to read.
func racesSince(mark int64) string {
	if mark < 0 {
		return ""
	}
	f, err := os.Open(*pgLog)
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := f.Seek(mark, io.SeekStart); err != nil {
		return ""
	}
	by := map[string]int{}
	total := 0
	pending := false
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case raceError.MatchString(line):
			total++
			if pending {
				by["?"]++
			}
			pending = true
		case pending && strings.Contains(line, "STATEMENT:"):
			key := "?"
			if m := statement.FindStringSubmatch(line); m != nil {
				key = strings.ToUpper(m[1]) + " " + m[2]
			}
			by[key]++
			pending = false
		}
	}
	if pending {
		by["?"]++
	}
	type count struct {
		key string
		n   int
	}
	var counts []count
	for k, n := range by {
		counts = append(counts, count{k, n})
	}
	slices.SortFunc(counts, func(a, b count) int { return b.n - a.n })
	var parts []string
	for _, c := range counts[:min(3, len(counts))] {
		parts = append(parts, fmt.Sprintf("%s %d", c.key, c.n))
	}
	if total == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%s)", total, strings.Join(parts, ", "))
}
