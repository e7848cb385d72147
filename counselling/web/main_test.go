package web_test

import (
	"os"
	"testing"
)

// TestMain runs the tests, or, started by BenchmarkIdleLiveConnections as its
// client process, holds the sockets it is told to open: the server's memory
// is then measured without the clients'.
func TestMain(m *testing.M) {
	if addr := os.Getenv("LIVEBENCH_CLIENT_ADDR"); addr != "" {
		os.Exit(holdSockets(addr, os.Getenv("LIVEBENCH_CLIENT_ORIGIN")))
	}
	os.Exit(m.Run())
}
