package main

import (
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// --logins-per-minute sets how many guarded attempts one client may make a
// minute: an office whose users share one address raises it; nonsense is
// refused at start.
func TestLoginsPerMinute(t *testing.T) {
	for _, bad := range []string{"0", "-3", "many"} {
		fs, cfg := NewMain(io.Discard, io.Discard, func(string) string { return "" }).serveFlags()
		if err := fs.Parse([]string{"--logins-per-minute", bad}); err != nil {
			t.Fatal(err)
		}
		if err := cfg.validate(); err == nil || !strings.Contains(err.Error(), "--logins-per-minute") {
			t.Errorf("--logins-per-minute %s: %v", bad, err)
		}
	}
	office := start(t, filepath.Join(t.TempDir(), "data"), "--logins-per-minute", "2")
	var statuses []int
	for range 3 {
		resp, _ := postForm(t, &http.Client{}, office.url, "/login", url.Values{"nickname": {"Nobody Here"}, "password": {"not the password"}})
		statuses = append(statuses, resp.StatusCode)
	}
	if statuses[0] == http.StatusTooManyRequests || statuses[1] == http.StatusTooManyRequests || statuses[2] != http.StatusTooManyRequests {
		t.Fatalf("with 2 attempts a minute, three logins answered %v", statuses)
	}
}
