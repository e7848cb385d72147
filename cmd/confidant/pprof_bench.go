//go:build benchprofile

package main

// Only in a build with -tags benchprofile, which `scripts/bench -profile`
// makes for itself and no release does: Go's profiles on the loopback
// address in CONFIDANT_PPROF_ADDR, so that the benchmark can record where
// the office spends its time, and waits, under load.

import (
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
)

func init() {
	addr := os.Getenv("CONFIDANT_PPROF_ADDR")
	if addr == "" {
		return
	}
	// Every blocking event and every contended lock longer than a
	// microsecond is recorded.
	runtime.SetBlockProfileRate(1000)
	runtime.SetMutexProfileFraction(1)
	go http.ListenAndServe(addr, nil)
}
