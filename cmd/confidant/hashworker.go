package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"syscall"

	"confidant/counselling/passwd"
)

// hashWorkerCommand is the hidden subcommand the office starts for each of
// its password-hashing slots (see passwd.ServeWorker): not a command for
// people, so the usage does not name it.
const hashWorkerCommand = "hash-worker"

// hashWorker runs one hashing process: at the lowest CPU priority, on one
// core, answering the office on its standard input and output. If the
// priority cannot be lowered (a system call filter may forbid it), it
// hashes at the office's own priority: slower pages in a login flood, but
// every login still answered.
func hashWorker(in io.Reader, out io.Writer) error {
	runtime.GOMAXPROCS(1)
	if err := syscall.Setpriority(syscall.PRIO_PROCESS, 0, 19); err != nil {
		fmt.Fprintln(os.Stderr, "hash worker: hashing at the office's priority:", err)
	}
	return passwd.ServeWorker(in, out)
}

// ownBinary is the file of this very process: on Linux /proc/self/exe,
// which still names the running binary after an upgrade has replaced the
// file on disk, so an office never starts another version's worker.
func ownBinary() (string, error) {
	if _, err := os.Stat("/proc/self/exe"); err == nil {
		return "/proc/self/exe", nil
	}
	return os.Executable()
}

// hashWorkerProcess returns the command that starts a hashing process from
// the binary exe (see ownBinary).
func hashWorkerProcess(exe string) func() *exec.Cmd {
	return func() *exec.Cmd {
		cmd := exec.Command(exe, hashWorkerCommand)
		// Nothing of the office's environment (a database address with
		// its password, say) is the hashing process's business.
		cmd.Env = []string{"GOMAXPROCS=1"}
		cmd.Stderr = os.Stderr
		return cmd
	}
}
