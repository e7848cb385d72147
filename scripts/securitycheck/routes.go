package main

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

// routesFile is where the router lists every route; the scan reads its POST
// routes from there, so that a new form route cannot be missed: each one is
// either scanned or left out below with the reason.
const routesFile = "counselling/web/routes.go"

// leftOut are the POST routes sqlmap is not pointed at, each with why. Every
// other POST route of the router must be reached by the crawl and scanned,
// or the run fails (TestEveryPostRouteIsScannedOrLeftOut keeps this table
// and the router in step).
var leftOut = map[string]string{
	// Each test request would carry these out and end the scan's own
	// session, account or rights.
	"/logout":                  "ends the session the scan uses",
	"/account/delete":          "deletes the account the scan uses",
	"/admin/staff/:id/disable": "would disable the staff the scan uses",
	"/admin/staff/:id/role":    "would demote the staff the scan uses",
	// The first request carries this out, and every later one is refused
	// (404): the payloads would never reach the note.
	"/inbox/:id/supervision/close": "each request closes the supervision request, so every request after the first is refused before its note is read",

	// These forms exist only in states the scan does not create yet. Their
	// fields are ids (in the path, checked against the caller's scope in the
	// store) and the kinds scanned elsewhere; every value reaches SQL
	// through a placeholder.
	"/login/totp":                         "not reached: a staff login half-way (after the password, before the code)",
	"/recover/:token":                     "not reached: a reset link from a delivered recovery mail",
	"/account/push/off-all":               "not reached: needs a push subscription on a real push service",
	"/inbox/:id/approve":                  "not reached: needs a trainee's reply waiting for review",
	"/inbox/:id/return":                   "not reached: needs a trainee's reply waiting for review",
	"/admin/staff/:id/approve":            "not reached: needs a second admin invited by an admin, waiting for approval",
	"/live/slots/:id/open":                "not reached: an appointment can be opened only when it is about to start",
	"/live/groups/:id/join":               "not reached: needs a group chat that is running",
	"/live/groups/:id/say":                "not reached: needs a group chat that is running",
	"/live/groups/:id/members/:no/mute":   "not reached: needs a group chat that is running, with members",
	"/live/groups/:id/members/:no/unmute": "not reached: needs a group chat that is running, with members",
	"/live/groups/:id/members/:no/remove": "not reached: needs a group chat that is running, with members",
	"/live/:id/accept":                    "not reached: needs a live chat waiting in the queue of an available counsellor",
	"/live/:id/end":                       "not reached: needs a running live chat",
	"/live/:id/rating":                    "not reached: needs a guest's ended live chat",
	"/live/:id/survey":                    "not reached: needs a guest's ended live chat",
	"/live/rings/:id/accept":              "not reached: needs a counsellor ringing the help-seeker",
	"/live/rings/:id/decline":             "not reached: needs a counsellor ringing the help-seeker",
	"/live/callbacks/:id/call":            "not reached: needs a call-back request while the counsellor is available",
	"/live/callback/:id/remove":           "not reached: needs a call-back request, made from a counsellor's availability",
	"/live/invite":                        "not reached: needs a running live chat to invite into",
	"/inbox/:id/group-call":               "not reached: shown only when group calls are on and the counsellor holds the thread in a call",
	"/calls/:id/end":                      "not reached: needs a running group call",
}

// fields replace a crawled form's values where the browser's own values
// would carry the form out at sqlmap's first request, so that every later
// one met a thread that is gone: a handover to nobody is refused with the
// form shown again, and sqlmap's payloads in "to" reach the lookup of the
// colleague every time.
var fields = map[string]map[string]string{
	"/inbox/:id/handover": {"to": "nobody"},
}

var postRoute = regexp.MustCompile(`e\.POST\("([^"]+)"`)

// postRoutes returns the router's POST routes, in echo's form (/inbox/:id/take).
func postRoutes(file string) ([]string, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var routes []string
	seen := map[string]bool{}
	for _, m := range postRoute.FindAllStringSubmatch(string(src), -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			routes = append(routes, m[1])
		}
	}
	if len(routes) == 0 {
		return nil, fmt.Errorf("no POST routes found in %s", file)
	}
	return routes, nil
}

var param = regexp.MustCompile(`:[a-z]+`)

// routeOf is the route a request path belongs to: of the routes that match,
// the one with the fewest parameters, as the router chooses a fixed segment
// over a parameter (/inbox/settings/themes, not /inbox/:id/themes).
func routeOf(path string, routes []string) string {
	path, _, _ = strings.Cut(path, "?")
	var matches []string
	for _, r := range routes {
		re := "^" + param.ReplaceAllString(regexp.QuoteMeta(r), `[^/]+`) + "$"
		if regexp.MustCompile(re).MatchString(path) {
			matches = append(matches, r)
		}
	}
	if len(matches) == 0 {
		return ""
	}
	sort.SliceStable(matches, func(i, j int) bool {
		return strings.Count(matches[i], ":") < strings.Count(matches[j], ":")
	})
	return matches[0]
}
