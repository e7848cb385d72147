// Command mutants checks that the test suite guards the security rules: it puts
// one small deliberate mistake (a "mutant") at a time into the code, runs the
// tests that must catch it, and puts the code back. A mutant that leaves those
// tests green is a rule that a future change could break silently, so the
// command fails on it.
//
// The mutants are applied to a copy of the working tree in a temporary folder,
// never to the tree itself, so that a mistake can never be left behind or
// committed, even when the command is killed or someone works in the tree
// meanwhile.
//
// The mutants are listed in scripts/mutants.txt. Each names the file, an exact
// piece of code that must occur there exactly once (so the list fails loudly
// when the code moves instead of testing nothing), its replacement, the
// packages whose tests catch it and the -run pattern of those tests. For each
// mutant the runner builds each package's test binary once, with the mistake
// in it (only when that package's tests are needed), and runs only the tests
// of that pattern: the whole suites of all mutants took over an hour on two
// cores. A mutant without a pattern runs its packages' whole tests.
//
// Before the first mutant, the runner builds the unmutated test binaries and
// checks that every pattern names tests that exist and pass, so that a
// mutant is "caught" only by a test that failed because of it.
//
//	go run ./scripts/mutants            # every mutant
//	go run ./scripts/mutants -run owner # the mutants whose name contains "owner"
//	go run ./scripts/mutants -check     # only check that every mutant still applies
//	go run ./scripts/mutants -learn -run owner # find the tests that catch them and write their pattern into the list
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

type mutant struct {
	name     string
	file     string
	find     string
	replace  string
	packages []string
	// run is the -run pattern of the tests that catch the mutant.
	run  string
	line int
}

func main() {
	list := flag.String("list", "scripts/mutants.txt", "the list of mutants")
	only := flag.String("run", "", "only mutants whose name contains this")
	check := flag.Bool("check", false, "only check that each mutant's code occurs once, without running tests, and list the mutants that name no tests")
	learn := flag.Bool("learn", false, "for each mutant its pattern does not catch (or that has none), run its packages' whole tests, and write the test that catches it into the list")
	flag.Parse()
	var err error
	switch {
	case *check:
		err = checkList(*list)
	default:
		err = mainErr(*list, *only, *learn)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutants:", err)
		os.Exit(1)
	}
}

func mainErr(list, only string, learn bool) error {
	all, err := parse(list)
	if err != nil {
		return err
	}
	var mutants []mutant
	for _, m := range all {
		if only == "" || strings.Contains(m.name, only) {
			mutants = append(mutants, m)
		}
	}
	if len(mutants) == 0 {
		return fmt.Errorf("no mutant's name contains %q", only)
	}
	tmp, err := os.MkdirTemp("", "confidant-mutants-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := copyTree(tmp); err != nil {
		return err
	}
	started := time.Now()
	base, unnamed, err := baseline(tmp, mutants, learn)
	if err != nil {
		return err
	}
	fmt.Printf("baseline: the unmutated tests of every pattern pass (%.1fs)\n", time.Since(started).Seconds())

	survived := 0
	var learned []mutant
	for _, m := range mutants {
		if unnamed[m.name] && !learn {
			// Counted with the survivors: nothing guards the rule.
			fmt.Printf("%-8s %-70s its pattern %q names no test\n", "NO TEST", m.name, m.run)
			survived++
			continue
		}
		if unnamed[m.name] {
			m.run = ""
		}
		r, err := try(tmp, m, learn, base)
		if err != nil {
			return fmt.Errorf("%s (%s:%d): %w", m.name, list, m.line, err)
		}
		verdict := "caught"
		switch {
		case r.learned != nil:
			// Written at once, so that an interrupted run keeps what it
			// learned.
			verdict = "learned"
			learned = append(learned, *r.learned)
			if err := rewrite(list, []mutant{*r.learned}); err != nil {
				return err
			}
		case !r.caught && m.run != "":
			// Either the rule is unguarded or other tests than the named
			// ones guard it; -learn tells which.
			verdict, survived = "SURVIVED", survived+1
			r.by = "its tests stayed green; if others catch it, -learn -run NAME names them"
		case !r.caught:
			verdict, survived = "SURVIVED", survived+1
		}
		fmt.Printf("%-8s %-70s build %5.1fs  tests %5.1fs  %s\n", verdict, m.name, r.build.Seconds(), r.tests.Seconds(), r.by)
	}
	if len(learned) > 0 {
		fmt.Printf("%d patterns written into %s\n", len(learned), list)
	}
	fmt.Printf("%d mutants in %s\n", len(mutants), time.Since(started).Round(time.Second))
	if survived > 0 {
		return fmt.Errorf("%d mutant(s) survived: the tests do not guard those rules", survived)
	}
	return nil
}

// checkList reports every mutant whose code does not occur exactly once in
// its file, so that a change that moves guarded code learns at once that its
// mutant must move too, and every mutant without the pattern of its tests.
func checkList(list string) error {
	mutants, err := parse(list)
	if err != nil {
		return err
	}
	var bad, unnamed []string
	for _, m := range mutants {
		b, err := os.ReadFile(m.file)
		if err != nil {
			return err
		}
		if n := bytes.Count(b, []byte(m.find)); n != 1 {
			bad = append(bad, fmt.Sprintf("%s:%d %s: its code occurs %d times in %s", list, m.line, m.name, n, m.file))
		}
		if m.run == "" {
			unnamed = append(unnamed, fmt.Sprintf("%s:%d %s", list, m.line, m.name))
		}
	}
	if len(bad) > 0 {
		return errors.New("these mutants no longer apply; update the list:\n" + strings.Join(bad, "\n"))
	}
	fmt.Printf("%d mutants, each applies once\n", len(mutants))
	if len(unnamed) > 0 {
		// Not an error: they run their packages' whole tests, only slower.
		fmt.Printf("%d name no tests and run their packages' whole tests; `go run ./scripts/mutants -learn -run NAME` finds the test that catches one:\n%s\n",
			len(unnamed), strings.Join(unnamed, "\n"))
	}
	return nil
}

// copyTree copies the files git knows of (tracked, and untracked but not
// ignored) into dir.
func copyTree(dir string) error {
	out, err := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		return fmt.Errorf("list the files of the tree: %w", err)
	}
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		info, err := os.Lstat(name)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue // deleted in the working tree
			}
			return err
		}
		if !info.Mode().IsRegular() {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, info.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}

// build builds the test binaries of pkgs in the copy in dir, each once, into
// out, and returns each package's binary ("" for a package without tests).
func build(dir, out string, pkgs []string) (map[string]string, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	// -trimpath keeps the build cache independent of the temporary folder, so
	// that only the mutated package and what depends on it are compiled again.
	args := append([]string{"test", "-c", "-trimpath", "-o", out + string(filepath.Separator)}, pkgs...)
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%w\n%s", errNoBuild, b)
	}
	bins := map[string]string{}
	for _, p := range pkgs {
		bin := filepath.Join(out, path.Base(p)+".test")
		if _, err := os.Stat(bin); err == nil {
			bins[p] = bin
		} else {
			bins[p] = ""
		}
	}
	return bins, nil
}

var errNoBuild = errors.New("the tests do not compile")

// runTests runs one test binary in its package's folder of the copy, as go
// test does, with the given flags, and reports whether it failed.
func runTests(dir, pkg, bin string, flags ...string) (failed bool, out []byte, err error) {
	cmd := exec.Command(bin, append([]string{"-test.count=1", "-test.timeout=10m"}, flags...)...)
	cmd.Dir = filepath.Join(dir, filepath.FromSlash(pkg))
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	runErr := cmd.Run()
	var exit *exec.ExitError
	switch {
	case runErr == nil:
		return false, buf.Bytes(), nil
	case errors.As(runErr, &exit):
		return true, buf.Bytes(), nil
	}
	return false, buf.Bytes(), runErr
}

// baseline builds the unmutated test binaries and checks, package by package,
// that each mutant's pattern names at least one test and that those tests
// pass: a test that fails without any mistake would "catch" every mutant.
func baseline(dir string, mutants []mutant, learn bool) (bins map[string]string, unnamed map[string]bool, err error) {
	var pkgs []string
	patterns := map[string][]string{}
	for _, m := range mutants {
		for _, p := range m.packages {
			if !slices.Contains(pkgs, p) {
				pkgs = append(pkgs, p)
			}
			if m.run != "" && !slices.Contains(patterns[p], m.run) {
				patterns[p] = append(patterns[p], m.run)
			}
		}
	}
	bins, err = build(dir, filepath.Join(dir, ".mutants", "baseline"), pkgs)
	if err != nil {
		return nil, nil, fmt.Errorf("unmutated: %w", err)
	}
	unnamed = map[string]bool{}
	for _, m := range mutants {
		if m.run == "" {
			continue
		}
		named := false
		for _, p := range m.packages {
			if bins[p] == "" {
				continue
			}
			_, out, err := runTests(dir, p, bins[p], "-test.list", m.run)
			if err != nil {
				return nil, nil, err
			}
			named = named || len(bytes.TrimSpace(out)) > 0
		}
		if !named {
			// Its tests were renamed or removed; it must not hide the
			// others, nor count as caught.
			unnamed[m.name] = true
			for _, p := range m.packages {
				patterns[p] = slices.DeleteFunc(patterns[p], func(r string) bool { return r == m.run })
			}
		}
	}
	for _, p := range pkgs {
		if bins[p] == "" || len(patterns[p]) == 0 {
			continue
		}
		failed, out, err := runTests(dir, p, bins[p], "-test.run", "("+strings.Join(patterns[p], ")|(")+")")
		if err != nil {
			return nil, nil, err
		}
		if failed {
			return nil, nil, fmt.Errorf("the unmutated tests of %s fail, so no mutant there can be judged:\n%s", p, out)
		}
	}
	return bins, unnamed, nil
}

type result struct {
	caught       bool
	by           string // the package whose tests caught the mutant
	build, tests time.Duration
	learned      *mutant
}

// failLine is a failed top-level test in -test.v output; timedOut names the
// test that was running when the binary's time ran out.
var (
	failLine = regexp.MustCompile(`(?m)^--- FAIL: ((?:Test|Fuzz)\w+)`)
	timedOut = regexp.MustCompile(`panic: test timed out[^\n]*\n\s*running tests:\n\s*((?:Test|Fuzz)\w+)`)
	// A test that panics ends the binary before its --- FAIL line: the
	// test that was running is the last one started before the panic.
	panicked = regexp.MustCompile(`(?s)^.*\n=== RUN\s+((?:Test|Fuzz)\w+)\n.*?\npanic: `)
)

// try applies one mutant to the copy in dir, builds the test binaries of its
// packages with the mistake in them, runs the tests of its pattern, and
// restores the file. With learn, a mutant the pattern does not catch gets the
// whole tests of its packages, and the first test that fails becomes its
// pattern.
func try(dir string, m mutant, learn bool, base map[string]string) (r result, err error) {
	file := filepath.Join(dir, m.file)
	orig, err := os.ReadFile(file)
	if err != nil {
		return r, err
	}
	if n := bytes.Count(orig, []byte(m.find)); n != 1 {
		return r, fmt.Errorf("%q occurs %d times in %s, not once: update the list", m.find, n, m.file)
	}
	info, err := os.Stat(file)
	if err != nil {
		return r, err
	}
	mutated := bytes.Replace(orig, []byte(m.find), []byte(m.replace), 1)
	if err := os.WriteFile(file, mutated, info.Mode()); err != nil {
		return r, err
	}
	defer func() {
		if werr := os.WriteFile(file, orig, info.Mode()); werr != nil && err == nil {
			err = werr
		}
	}()

	// Each package's test binary is built when its tests are first needed:
	// a mutant caught by a cheap package's tests needs no page tests built.
	// The build of one package's binary is once per mutant.
	start := time.Now()
	defer func() { r.tests = time.Since(start) - r.build }()
	bins := map[string]string{}
	binOf := func(p string) (string, error) {
		if bin, ok := bins[p]; ok {
			return bin, nil
		}
		t := time.Now()
		got, err := build(dir, filepath.Join(dir, ".mutants", "mutant"), []string{p})
		r.build += time.Since(t)
		if err != nil {
			// A mutant that does not even compile is no test of the suite.
			return "", fmt.Errorf("the mutant does not compile: %w", err)
		}
		bins[p] = got[p]
		return got[p], nil
	}
	// The cheaper packages first: a domain table test that catches the
	// mistake is a better guard to name than a page test.
	pkgs := slices.Clone(m.packages)
	slices.SortStableFunc(pkgs, func(a, b string) int { return cost(a) - cost(b) })
	var patterns []string
	if m.run != "" {
		patterns = append(patterns, m.run)
	}
	// A mutant without a pattern runs its packages' whole tests, as every
	// mutant did before they had patterns.
	if learn || m.run == "" {
		// Learning names the first test that fails, so that the list
		// keeps the narrowest pattern; "" runs the whole tests.
		patterns = append(patterns, "")
	}
	for _, pattern := range patterns {
		for _, p := range pkgs {
			bin, err := binOf(p)
			if err != nil {
				return r, err
			}
			if bin == "" {
				continue
			}
			flags := []string{"-test.failfast"}
			if pattern != "" {
				flags = append(flags, "-test.run", pattern)
			}
			if learn {
				flags = append(flags, "-test.v")
			}
			failed, out, err := runTests(dir, p, bin, flags...)
			if err != nil {
				return r, err
			}
			if !failed {
				continue
			}
			r.caught, r.by = true, p
			if !learn {
				return r, nil
			}
			f := failLine.FindSubmatch(out)
			if f == nil {
				f = timedOut.FindSubmatch(out)
			}
			if f == nil {
				f = panicked.FindSubmatch(out)
			}
			if f == nil {
				return r, fmt.Errorf("the tests of %s failed without naming a test:\n%s", p, out)
			}
			l := m
			l.run, l.packages = "^"+string(f[1])+"$", []string{p}
			// A test that fails without the mistake too names nothing.
			if failed, out, err := runTests(dir, p, base[p], "-test.run", l.run); err != nil || failed {
				return r, fmt.Errorf("%s fails without the mistake too:\n%s", l.run, out)
			}
			r.by, r.learned = p+" "+l.run, &l
			return r, nil
		}
	}
	return r, nil
}

// cost orders packages by how long their tests take.
func cost(pkg string) int {
	switch pkg {
	case "./counselling/web", "./cmd/confidant":
		return 3
	case "./store", "./counselling/live":
		return 2
	}
	return 1
}

// rewrite writes the learned packages and patterns into the list, in place
// of each mutant's test: and run: lines.
func rewrite(list string, learned []mutant) error {
	b, err := os.ReadFile(list)
	if err != nil {
		return err
	}
	lines := strings.Split(string(b), "\n")
	for _, m := range learned {
		// The block runs from its name to the next blank line; the name
		// finds it even when earlier blocks grew since the list was read.
		start := slices.Index(lines, "name: "+m.name)
		for start > 0 && strings.TrimSpace(lines[start-1]) != "" && !strings.HasPrefix(lines[start-1], "#") {
			start--
		}
		if start < 0 {
			return fmt.Errorf("%s: the mutant %q is no longer in the list", list, m.name)
		}
		end := start
		for end < len(lines) && strings.TrimSpace(lines[end]) != "" {
			end++
		}
		var block []string
		for _, l := range lines[start:end] {
			if !strings.HasPrefix(l, "test:") && !strings.HasPrefix(l, "run:") {
				block = append(block, l)
			}
		}
		block = append(block, "test: "+strings.Join(m.packages, " "), "run: "+m.run)
		lines = slices.Concat(lines[:start], block, lines[end:])
	}
	return os.WriteFile(list, []byte(strings.Join(lines, "\n")), 0o644)
}

// parse reads the list: blocks of "key: value" lines separated by blank lines;
// lines starting with # are comments. find and replace may be given more than
// once to span several lines.
func parse(file string) ([]mutant, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var (
		out []mutant
		cur *mutant
		n   int
	)
	flush := func() error {
		if cur == nil {
			return nil
		}
		if cur.name == "" || cur.file == "" || cur.find == "" || len(cur.packages) == 0 {
			return fmt.Errorf("%s:%d: a mutant needs name, file, find and test", file, cur.line)
		}
		out = append(out, *cur)
		cur = nil
		return nil
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		if strings.TrimSpace(line) == "" {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want key: value", file, n)
		}
		value = strings.TrimPrefix(value, " ")
		if cur == nil {
			cur = &mutant{line: n}
		}
		switch key {
		case "name":
			cur.name = value
		case "file":
			cur.file = value
		case "find":
			cur.find = join(cur.find, value)
		case "replace":
			cur.replace = join(cur.replace, value)
		case "test":
			f := strings.Fields(value)
			// The older form "test: -run PATTERN PACKAGES" still reads.
			if len(f) >= 2 && f[0] == "-run" {
				cur.run, f = f[1], f[2:]
			}
			for _, p := range f {
				if strings.HasPrefix(p, "-") {
					return nil, fmt.Errorf("%s:%d: test: lists packages; the pattern goes on a run: line", file, n)
				}
			}
			cur.packages = f
		case "run":
			if strings.Contains(value, "/") {
				return nil, fmt.Errorf("%s:%d: run: names top-level tests only", file, n)
			}
			cur.run = value
		default:
			return nil, fmt.Errorf("%s:%d: unknown key %q", file, n, key)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n" + b
}
