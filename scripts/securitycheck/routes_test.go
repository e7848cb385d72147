package main

import (
	"os"
	"strings"
	"testing"
)

// The scan's targets come from the router's own list of POST routes: every
// one is either scanned (and the run fails when the crawl does not reach
// it) or left out on purpose with a reason. This keeps the table of routes
// left out in step with the router, so that a new form route is scanned
// unless someone writes down why not.
func TestEveryPostRouteIsScannedOrLeftOut(t *testing.T) {
	if err := os.Chdir("../.."); err != nil {
		t.Fatal(err)
	}
	routes, err := postRoutes(routesFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) < 90 {
		t.Fatalf("read %d POST routes from %s; the pattern no longer matches how routes are written", len(routes), routesFile)
	}
	known := map[string]bool{}
	for _, r := range routes {
		known[r] = true
	}
	for r, why := range leftOut {
		if !known[r] {
			t.Errorf("%s is left out of the scan but is no POST route any more", r)
		}
		if strings.TrimSpace(why) == "" {
			t.Errorf("%s is left out without a reason", r)
		}
	}
	scanned := len(routes) - len(leftOut)
	if scanned < 65 {
		t.Errorf("only %d of %d POST routes are scanned", scanned, len(routes))
	}
}

// A request path belongs to the router's route with the fewest parameters
// that matches it, as echo chooses a fixed segment over a parameter.
func TestRouteOfPrefersFixedSegments(t *testing.T) {
	routes := []string{"/inbox/:id/themes", "/inbox/settings/themes", "/inbox/:id/take", "/live/groups/:id/members/:no/mute"}
	for path, want := range map[string]string{
		"/inbox/settings/themes":                   "/inbox/settings/themes",
		"/inbox/abcdefghijklmnopqrstuvwxyz/themes": "/inbox/:id/themes",
		"/inbox/abc/take?x=1":                      "/inbox/:id/take",
		"/live/groups/abc/members/3/mute":          "/live/groups/:id/members/:no/mute",
		"/inbox/abc/unknown":                       "",
	} {
		if got := routeOf(path, routes); got != want {
			t.Errorf("routeOf(%q) = %q, want %q", path, got, want)
		}
	}
}
