// Command mutants checks that the test suite guards the security rules: it puts
// one small deliberate mistake (a "mutant") at a time into the code, runs the
// tests, and puts the code back. A mutant that leaves every test green is a rule
// that a future change could break silently, so the command fails on it.
//
// The mutants are applied to a copy of the working tree in a temporary folder,
// never to the tree itself, so that a mistake can never be left behind or
// committed, even when the command is killed or someone works in the tree
// meanwhile.
//
// The mutants are listed in scripts/mutants.txt. Each names the file, an exact
// piece of code that must occur there exactly once (so the list fails loudly
// when the code moves instead of testing nothing), its replacement, and the
// packages whose tests must catch it.
//
//	go run ./scripts/mutants            # every mutant
//	go run ./scripts/mutants -run owner # the mutants whose name contains "owner"
//	go run ./scripts/mutants -check     # only check that every mutant still applies
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

type mutant struct {
	name     string
	file     string
	find     string
	replace  string
	packages []string
	line     int
}

func main() {
	list := flag.String("list", "scripts/mutants.txt", "the list of mutants")
	run := flag.String("run", "", "only mutants whose name contains this")
	check := flag.Bool("check", false, "only check that each mutant's code occurs once, without running tests")
	flag.Parse()
	if *check {
		if err := checkList(*list); err != nil {
			fmt.Fprintln(os.Stderr, "mutants:", err)
			os.Exit(1)
		}
		return
	}
	if err := mainErr(*list, *run); err != nil {
		fmt.Fprintln(os.Stderr, "mutants:", err)
		os.Exit(1)
	}
}

func mainErr(list, only string) error {
	mutants, err := parse(list)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "confidant-mutants-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := copyTree(tmp); err != nil {
		return err
	}
	survived := 0
	for _, m := range mutants {
		if only != "" && !strings.Contains(m.name, only) {
			continue
		}
		caught, took, err := try(tmp, m)
		if err != nil {
			return fmt.Errorf("%s (%s:%d): %w", m.name, list, m.line, err)
		}
		verdict := "caught"
		if !caught {
			verdict, survived = "SURVIVED", survived+1
		}
		fmt.Printf("%-8s %-60s %5.1fs\n", verdict, m.name, took.Seconds())
	}
	if survived > 0 {
		return fmt.Errorf("%d mutant(s) survived: the tests do not guard those rules", survived)
	}
	return nil
}

// checkList reports every mutant whose code does not occur exactly once in
// its file, so that a change that moves guarded code learns at once that its
// mutant must move too.
func checkList(list string) error {
	mutants, err := parse(list)
	if err != nil {
		return err
	}
	var bad []string
	for _, m := range mutants {
		b, err := os.ReadFile(m.file)
		if err != nil {
			return err
		}
		if n := bytes.Count(b, []byte(m.find)); n != 1 {
			bad = append(bad, fmt.Sprintf("%s:%d %s: its code occurs %d times in %s", list, m.line, m.name, n, m.file))
		}
	}
	if len(bad) > 0 {
		return errors.New("these mutants no longer apply; update the list:\n" + strings.Join(bad, "\n"))
	}
	fmt.Printf("%d mutants, each applies once\n", len(mutants))
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

// try applies one mutant to the copy in dir, runs its packages' tests there
// and restores the file.
func try(dir string, m mutant) (caught bool, took time.Duration, err error) {
	file := filepath.Join(dir, m.file)
	orig, err := os.ReadFile(file)
	if err != nil {
		return false, 0, err
	}
	if n := bytes.Count(orig, []byte(m.find)); n != 1 {
		return false, 0, fmt.Errorf("%q occurs %d times in %s, not once: update the list", m.find, n, m.file)
	}
	info, err := os.Stat(file)
	if err != nil {
		return false, 0, err
	}
	mutated := bytes.Replace(orig, []byte(m.find), []byte(m.replace), 1)
	if err := os.WriteFile(file, mutated, info.Mode()); err != nil {
		return false, 0, err
	}
	defer func() {
		if werr := os.WriteFile(file, orig, info.Mode()); werr != nil && err == nil {
			err = werr
		}
	}()

	start := time.Now()
	// -trimpath keeps the build cache independent of the temporary folder.
	args := append([]string{"test", "-trimpath", "-count=1", "-failfast"}, m.packages...)
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	took = time.Since(start)
	var exit *exec.ExitError
	switch {
	case runErr == nil:
		return false, took, nil
	case errors.As(runErr, &exit):
		// A mutant that does not even compile is no test of the suite.
		if bytes.Contains(out.Bytes(), []byte("[build failed]")) || bytes.Contains(out.Bytes(), []byte("[setup failed]")) {
			return false, took, fmt.Errorf("the mutant does not compile:\n%s", out.String())
		}
		return true, took, nil
	}
	return false, took, runErr
}

// parse reads the list: blocks of "key: value" lines separated by blank lines;
// lines starting with # are comments. find and replace may be given more than
// once to span several lines.
func parse(path string) ([]mutant, error) {
	f, err := os.Open(path)
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
			return fmt.Errorf("%s:%d: a mutant needs name, file, find and test", path, cur.line)
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
			return nil, fmt.Errorf("%s:%d: want key: value", path, n)
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
			cur.packages = strings.Fields(value)
		default:
			return nil, fmt.Errorf("%s:%d: unknown key %q", path, n, key)
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
