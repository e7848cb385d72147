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
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	m := NewMain(os.Stdout, os.Stderr, os.Getenv)
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "confidant: "+err.Error())
		}
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

// Run runs the subcommand named by args[0]; no subcommand means serve.
func (m *Main) Run(ctx context.Context, args []string) error {
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
	case "version":
		fmt.Fprintf(m.Stdout, "confidant %s (%s)\n", version, runtime.Version())
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
  confidant version           print the version
  confidant help              print this text

Every command takes the configuration flags; 'confidant COMMAND -h' lists a command's flags.`

// usageWithFlags prints the subcommands, then the flags of fs.
func usageWithFlags(fs *flag.FlagSet) func() {
	return func() {
		fmt.Fprintln(fs.Output(), usage)
		fmt.Fprintf(fs.Output(), "\nFlags of %s:\n", fs.Name())
		fs.PrintDefaults()
	}
}

// flags returns a flag set with the configuration flags bound to a new Config.
func (m *Main) flags(name string) (*flag.FlagSet, *Config) {
	fs := flag.NewFlagSet("confidant "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	cfg := &Config{}
	cfg.bindFlags(fs, m.Getenv)
	fs.Usage = usageWithFlags(fs)
	return fs, cfg
}
