// Command confidant runs a Confidant counselling office and its operator
// commands. main only wires: it reads configuration, configures the logger once,
// opens the store and serves, and shuts down gracefully on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=..."; without
// it the module version from the build information stands.
var version = ""

// versionLine is what `confidant version` prints: the version, the commit
// the binary was built from (marked when the work tree had changes), and
// the Go version, all from the build information the Go tool records.
func versionLine(info *debug.BuildInfo, ok bool) string {
	v, commit, goVersion := version, "unknown", runtime.Version()
	if ok {
		if v == "" {
			v = info.Main.Version
		}
		goVersion = info.GoVersion
		var modified bool
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if modified && commit != "unknown" {
			commit += " (modified)"
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return fmt.Sprintf("confidant %s commit %s %s", v, commit, goVersion)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	m := NewMain(os.Stdout, os.Stderr, os.Getenv)
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "confidant: "+err.Error())
		os.Exit(1)
	}
}

// Main is the program, separate from main() so that tests can run it whole.
type Main struct {
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Ready, when set, receives the served address once the office listens.
	Ready chan<- string
}

// NewMain returns a Main writing to the given streams.
func NewMain(stdout, stderr io.Writer, getenv func(string) string) *Main {
	return &Main{Stdout: stdout, Stderr: stderr, Getenv: getenv}
}

// Run runs the subcommand named by args[0]; no subcommand means serve. Asking
// for help (-h) is no failure: the help goes to Stdout and Run returns nil.
func (m *Main) Run(ctx context.Context, args []string) error {
	if err := m.run(ctx, args); !errors.Is(err, flag.ErrHelp) {
		return err
	}
	return nil
}

func (m *Main) run(ctx context.Context, args []string) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return m.serve(ctx, args)
	case "staff":
		return m.staff(ctx, args)
	case "backup":
		return m.backup(ctx, args)
	case "restore":
		return m.restore(ctx, args)
	case "keys":
		return m.keys(ctx, args)
	case "purge":
		return m.purge(ctx, args)
	case "seed":
		return m.seed(ctx, args)
	case "migrate":
		return m.migrate(ctx, args)
	case hashWorkerCommand:
		return hashWorker(os.Stdin, m.Stdout)
	case "version":
		fmt.Fprintln(m.Stdout, versionLine(debug.ReadBuildInfo()))
		return nil
	case "help":
		fmt.Fprintln(m.Stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q; run 'confidant help'", cmd)
}

const usage = `confidant runs a Confidant counselling office.

  confidant [serve] [flags]   run the office (default address 127.0.0.1:8080; --addr to change)
  confidant staff add --role counsellor|supervisor|admin --name NAME [--office SLUG]
                              print a one-time invite link for a staff member
  confidant backup FILE       write a consistent, checked copy of the database (also while running)
  confidant restore FILE      restore a backup into an empty data folder
  confidant keys rotate       new master.key and index.key; every data key re-wrapped and
                              every nickname re-indexed (office stopped)
  confidant purge [--dry-run] apply the retention rules now (or count what they would delete)
  confidant migrate --to postgres://…
                              copy the stopped SQLite office into an empty PostgreSQL database
  confidant seed [flags]      fill an office with synthetic help-seekers and threads, for
                              benchmarks and demonstrations; never on a real office
  confidant version           print the version, the commit and the Go version
  confidant help              print this text

Every command takes --data (and --database for an office on PostgreSQL);
flags may come before or after FILE.
'confidant COMMAND -h' lists a command's flags.`

// synopses are the usage lines that a command's -h prints above its flags.
var synopses = map[string]string{
	"serve":       usage,
	"staff add":   "usage: confidant staff add --role counsellor|supervisor|admin --name NAME [flags]\n\nCreates a staff account and prints the one-time link with which the person sets a password.",
	"backup":      "usage: confidant backup FILE [flags]\n\nWrites a consistent, checked copy of the database to FILE, also while the office runs.",
	"restore":     "usage: confidant restore FILE [flags]\n\nRestores the backup FILE into an empty data folder.",
	"keys rotate": "usage: confidant keys rotate [flags]\n\nWith the office stopped: new master.key and index.key, every data key re-wrapped and every nickname re-indexed.",
	"purge":       "usage: confidant purge [flags]\n\nApplies the retention rules now, or with --dry-run counts what each would delete.",
	"migrate":     "usage: confidant migrate --to postgres://USER@HOST/DATABASE [flags]\n\nWith the office stopped: copies its SQLite database into the empty PostgreSQL database, checks the row counts and that every sealed value opens with the keys, and says what to change in the configuration.",
	"seed":        "usage: confidant seed [flags]\n\nFills an office with synthetic help-seekers and threads for benchmarks. Never run it on a real office.",
}

// flags returns the flag set of the command name with --data bound to a new
// Config; a command binds the other flags it uses itself, so that its help
// lists only flags that do something.
func (m *Main) flags(name string) (*flag.FlagSet, *Config) {
	fs := flag.NewFlagSet("confidant "+name, flag.ContinueOnError)
	// parse reports errors and prints the help itself.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	cfg := &Config{}
	cfg.bindData(fs, m.Getenv)
	return fs, cfg
}

// serveFlags is the flag set of serve: every configuration flag.
func (m *Main) serveFlags() (*flag.FlagSet, *Config) {
	fs, cfg := m.flags("serve")
	cfg.bindBaseURL(fs, m.Getenv)
	cfg.bindServer(fs, m.Getenv)
	return fs, cfg
}

// parse parses args, whose flags may come before, between or after the
// command's arguments, and returns the arguments; everything after "--" is an
// argument. On -h it prints the command's help to Stdout and returns
// flag.ErrHelp.
func (m *Main) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			name := strings.TrimPrefix(fs.Name(), "confidant ")
			fmt.Fprintln(m.Stdout, synopses[name])
			fmt.Fprintf(m.Stdout, "\nFlags of %s:\n", fs.Name())
			fs.SetOutput(m.Stdout)
			fs.PrintDefaults()
			return nil, err
		}
		if err != nil {
			return nil, fmt.Errorf("%w; run '%s -h' for its flags", err, fs.Name())
		}
		left := fs.Args()
		if len(left) == 0 {
			return rest, nil
		}
		if len(left) < len(args) && args[len(args)-len(left)-1] == "--" {
			return append(rest, left...), nil
		}
		rest, args = append(rest, left[0]), left[1:]
	}
}
