// Command securitycheck points sqlmap at every form of the office, as each
// kind of user sees it: it starts the real binary, logs in a help-seeker, a
// counsellor, a supervisor and an admin, walks the pages each of them
// reaches, collects every form that posts (and every link with a query
// string), and runs sqlmap against each with that person's session. It
// prints one line per target and fails if sqlmap reports any parameter as
// injectable.
//
//	go run ./scripts/securitycheck [-report docs/sqlmap.txt]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"confidant/scripts/office"

	"golang.org/x/net/html"
)

func main() {
	report := flag.String("report", "", "write the summary here as well")
	level := flag.Int("level", 1, "sqlmap --level")
	match := flag.String("match", "", "scan only targets whose path contains this")
	list := flag.Bool("list", false, "list the targets and scan nothing")
	parallel := flag.Int("parallel", 3, "how many targets sqlmap scans at once")
	flag.Parse()
	if err := run(*report, *level, *match, *list, *parallel); err != nil {
		fmt.Fprintln(os.Stderr, "securitycheck: FAIL:", err)
		os.Exit(1)
	}
}

// target is one request sqlmap tries: a form's action and fields, or a link
// with a query string, as one person.
type target struct {
	who    string
	method string
	path   string
	data   string
	// route is the router's pattern a POST target belongs to.
	route string
}

// label is how the report names a target: its route, or its path with
// ids replaced.
func (t target) label() string {
	if t.route != "" {
		return t.route
	}
	return normalise(t.path)
}

// skip is why a target is not scanned: left out on purpose, or not
// reached by the crawl (which fails the run).
func (t target) skip() string {
	if why := leftOut[t.route]; why != "" {
		return why
	}
	if t.who == "" {
		return notReached
	}
	return ""
}

const notReached = "NOT REACHED: no page the scan's people see shows this form"

func run(report string, level int, match string, list bool, parallel int) error {
	work, err := os.MkdirTemp("", "confidant-securitycheck-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin, err := office.Build(work)
	if err != nil {
		return err
	}
	data := filepath.Join(work, "data")
	addr := office.FreeAddr()
	base := "http://" + addr
	invites := map[string]string{}
	for _, role := range []string{"counsellor", "supervisor", "admin", "invitee"} {
		r := role
		if r == "invitee" {
			r = "counsellor"
		}
		if invites[role], err = office.Invite(bin, data, base, r, "Scan "+role); err != nil {
			return err
		}
	}
	// The login limiter would answer most of sqlmap's requests to the guarded
	// forms (all from 127.0.0.1) with "too many attempts", so the scanned
	// office allows as many attempts as the configuration accepts.
	// Mail goes to an address where nothing listens (the outbox keeps
	// retrying), so that the forms that only exist with mail are there.
	o, err := office.Start(bin, data, addr, "--logins-per-minute", "100000", "--smtp", "smtp://"+office.FreeAddr())
	if err != nil {
		return err
	}
	defer o.Kill()

	people := map[string]*office.Client{}
	starts := map[string][]string{}
	seeker := office.NewClient(base)
	if err := seeker.Register("Scan Seeker", "a passphrase for scanning", "scan@example.org"); err != nil {
		return err
	}
	// Three threads: one the counsellor keeps open, one they close, so that
	// the forms of an open conversation and the ratings of a closed one
	// both exist, and one left waiting in the inbox to be taken.
	for _, body := range []string{"A first message to scan.", "A second message to scan.", "A third message to scan."} {
		if resp, _, err := seeker.Post("/threads/new", url.Values{"theme": {"anxiety"}, "body": {body}}); err != nil || resp.StatusCode != 303 {
			return fmt.Errorf("new thread: %v %v", err, resp)
		}
	}
	people["help-seeker"] = seeker
	for _, role := range []string{"counsellor", "supervisor"} {
		link := invites[role]
		c := office.NewClient(base)
		if _, err := c.Enrol(link, "a staff passphrase for scanning"); err != nil {
			return err
		}
		people[role] = c
	}
	if o.AdminLink != "" {
		c := office.NewClient(base)
		if _, err := c.Enrol(o.AdminLink, "an admin passphrase for scanning"); err != nil {
			return err
		}
		people["admin"] = c
	}
	// A second admin waits for the first one's approval.
	if _, err := office.NewClient(base).Enrol(invites["admin"], "a second admin passphrase for scanning"); err != nil {
		return err
	}
	// A visitor without a session holds a fresh staff invite, so that the
	// form of a one-time link is scanned as well.
	people["visitor"] = office.NewClient(base)
	starts["visitor"] = []string{strings.TrimPrefix(invites["invitee"], base)}
	if err := prepare(base, people); err != nil {
		return err
	}

	routes, err := postRoutes(routesFile)
	if err != nil {
		return err
	}
	// One target per POST route (the first person whose pages show its
	// form) and per link with a query string.
	var targets []target
	seen := map[string]int{}
	for _, who := range sortedKeys(people) {
		for _, t := range crawl(people[who], who, starts[who]...) {
			key := t.method + " " + normalise(t.path)
			if t.method == "POST" {
				t.route = routeOf(t.path, routes)
				key = "POST " + t.route
				if set := fields[t.route]; set != nil {
					form, _ := url.ParseQuery(t.data)
					for k, v := range set {
						form.Set(k, v)
					}
					t.data = form.Encode()
				}
			}
			if !strings.Contains(t.path, match) {
				continue
			}
			// Of the forms that post to one route, the one with the most
			// fields is scanned (a page may show a bare button beside the
			// full form).
			if i, ok := seen[key]; ok {
				if t.method == "POST" && len(strings.Split(t.data, "&")) > len(strings.Split(targets[i].data, "&")) {
					targets[i] = t
				}
				continue
			}
			seen[key] = len(targets)
			targets = append(targets, t)
		}
	}
	// Every POST route is a target: one the crawl did not reach is still
	// listed, and fails the run unless it is left out with a reason.
	for _, r := range routes {
		if _, ok := seen["POST "+r]; !ok && strings.Contains(r, match) {
			targets = append(targets, target{method: "POST", path: r, route: r})
		}
	}

	// Forms that take something away from the scan's own people (a thread
	// handed over or closed, a theme retired) come last, so that the others
	// are scanned while everything they need still exists.
	sort.SliceStable(targets, func(i, j int) bool { return !last.MatchString(targets[i].path) && last.MatchString(targets[j].path) })
	if list {
		for _, t := range targets {
			fmt.Printf("%-4s %-40s as %-11s %s %s\n", t.method, t.label(), t.who, t.data, t.skip())
		}
		return nil
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "sqlmap %s against %s, %s, level %d risk 1, one session per kind of user\n\n", sqlmapVersion(), base, time.Now().UTC().Format("2006-01-02"), level)
	// Targets run side by side, -parallel at a time, each sqlmap with a
	// folder of its own; the forms that take something away run after all
	// the others, one at a time, in their order.
	verdicts := make([]string, len(targets))
	errs := make([]error, len(targets))
	scan := func(i int) {
		t := targets[i]
		verdicts[i], errs[i] = sqlmap(filepath.Join(work, fmt.Sprint(i)), base, people[t.who], t, level, home[t.who])
		if errs[i] == nil {
			fmt.Printf("%-4s %-40s as %-11s %s\n", t.method, t.label(), t.who, verdicts[i])
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, parallel))
	for i, t := range targets {
		if t.skip() != "" || last.MatchString(t.path) {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			scan(i)
		})
	}
	wg.Wait()
	for i, t := range targets {
		if t.skip() == "" && last.MatchString(t.path) {
			scan(i)
		}
	}
	var findings, untested, left int
	for i, t := range targets {
		if why := t.skip(); why != "" {
			if why == notReached {
				untested++
			} else {
				left++
			}
			fmt.Fprintf(&out, "%-4s %-40s %s\n", t.method, t.label(), why)
			continue
		}
		if errs[i] != nil {
			return errs[i]
		}
		switch {
		case verdicts[i] == "injectable":
			findings++
		case !strings.HasPrefix(verdicts[i], "clean") && !strings.HasPrefix(verdicts[i], "no input"):
			untested++
		}
		fmt.Fprintf(&out, "%-4s %-40s as %-11s %s\n", t.method, t.label(), t.who, verdicts[i])
	}
	var posts int
	for _, t := range targets {
		if t.route != "" {
			posts++
		}
	}
	summary := fmt.Sprintf("%d targets: %d POST routes of the router's %d (%d of them left out on purpose, listed above with why) and %d links with a query string; %d injectable, %d NOT TESTED\n",
		len(targets), posts, len(routes), left, len(targets)-posts, findings, untested)
	fmt.Fprintf(&out, "\n%s", summary)
	if report != "" {
		if err := os.WriteFile(report, out.Bytes(), 0o644); err != nil {
			return err
		}
	}
	fmt.Print(summary)
	if findings > 0 || untested > 0 {
		return fmt.Errorf("sqlmap found %d injectable targets and could not test %d", findings, untested)
	}
	return nil
}

// home is a page each kind of user sees only while logged in: after each
// target the scan checks that its session still works there.
var home = map[string]string{
	"help-seeker": "/threads",
	"counsellor":  "/inbox",
	"supervisor":  "/inbox",
	"admin":       "/admin",
}

// prepare gives the scan's people what makes the newer forms appear: the
// counsellor takes both threads and closes one (replies, notes, blocking,
// supervision and ratings on both sides), offers an appointment slot (booking
// and cancelling), and the supervisor schedules a group chat that the
// counsellor moderates (joining, speaking, muting, ending).
func prepare(base string, people map[string]*office.Client) error {
	c, sup, admin := people["counsellor"], people["supervisor"], people["admin"]
	_, inbox, err := c.Get("/inbox")
	if err != nil {
		return err
	}
	takes := regexp.MustCompile(`action="/inbox/([a-z2-7]{26})/take"`).FindAllStringSubmatch(inbox, -1)
	if len(takes) < 3 {
		return fmt.Errorf("the counsellor's inbox offers %d threads to take, want 3", len(takes))
	}
	for _, m := range takes[:2] {
		if resp, _, err := c.Post("/inbox/"+m[1]+"/take", url.Values{}); err != nil || resp.StatusCode != 303 {
			return fmt.Errorf("take: %v %v", err, resp)
		}
	}
	if resp, _, err := c.Post("/inbox/"+takes[1][1]+"/close", url.Values{}); err != nil || resp.StatusCode != 303 {
		return fmt.Errorf("close: %v %v", err, resp)
	}
	at := func(h int) string {
		return time.Now().Add(time.Duration(h) * time.Hour).UTC().Format("2006-01-02T15:04")
	}
	if resp, _, err := c.Post("/live/slots", url.Values{"start": {at(1000)}, "minutes": {"30"}, "kind": {"chat"}}); err != nil || resp.StatusCode != 303 {
		return fmt.Errorf("offer a slot: %v %v", err, resp)
	}
	_, page, err := sup.Get("/live/groups")
	if err != nil {
		return err
	}
	var moderator string
	if m := regexp.MustCompile(`<option value="([a-z2-7]{26})"`).FindStringSubmatch(page); m != nil {
		moderator = m[1]
	}
	if resp, _, err := sup.Post("/live/groups", url.Values{"theme": {"Scan group"}, "rules": {"Be kind."}, "starts_at": {at(1000)},
		"ends_at": {at(1001)}, "max_size": {"5"}, "moderator": {moderator}}); err != nil || resp.StatusCode != 303 {
		return fmt.Errorf("schedule a group: %v %v", err, resp)
	}
	// Things that have a form to end, delete, rename or close once they
	// exist: an absence, snippets, a duty time, a region, a survey
	// question, a supervision request, a blocked help-seeker.
	day := func(d int) string { return time.Now().AddDate(0, 0, d).Format("2006-01-02") }
	survey := url.Values{"moment": {"after-contact"}, "kind": {"single"}}
	for _, lang := range []string{"en", "de", "da", "nl"} {
		survey.Set("text_"+lang, "Was this helpful?")
		survey.Set("options_"+lang, "yes\nno")
	}
	steps := []struct {
		who        *office.Client
		page, path string
		form       url.Values
	}{
		{c, "/inbox/absence", "/inbox/absence", url.Values{"from": {day(100)}, "to": {day(101)}}},
		{c, "/inbox/snippets", "/inbox/snippets", url.Values{"title": {"Scan"}, "body": {"A snippet to scan."}}},
		{admin, "/admin/snippets", "/admin/snippets", url.Values{"title": {"Scan"}, "body": {"A snippet to scan."}}},
		{sup, "/roster", "/roster/duty", url.Values{"weekday": {"1"}, "starts": {"09:00"}, "ends": {"12:00"}}},
		{admin, "/admin/regions", "/admin/regions", url.Values{"name": {"Scan region"}}},
		{admin, "/admin/surveys", "/admin/surveys", survey},
		{c, "/inbox/" + takes[0][1], "/inbox/" + takes[0][1] + "/supervision", url.Values{"reason": {"A question to scan."}}},
	}
	for _, st := range steps {
		if err := fill(st.who, st.page, st.path, st.form); err != nil {
			return err
		}
	}
	// A second help-seeker whom the counsellor blocks, so that the
	// supervisor has a block to lift.
	other := office.NewClient(base)
	if err := other.Register("Scan Other", "another passphrase for scanning", ""); err != nil {
		return err
	}
	if resp, _, err := other.Post("/threads/new", url.Values{"theme": {"anxiety"}, "body": {"A message to be blocked."}}); err != nil || resp.StatusCode != 303 {
		return fmt.Errorf("new thread: %v %v", err, resp)
	}
	_, inbox, err = c.Get("/inbox")
	if err != nil {
		return err
	}
	for _, m := range regexp.MustCompile(`action="/inbox/([a-z2-7]{26})/take"`).FindAllStringSubmatch(inbox, -1) {
		if m[1] == takes[2][1] {
			continue
		}
		if resp, _, err := c.Post("/inbox/"+m[1]+"/take", url.Values{}); err != nil || resp.StatusCode != 303 {
			return fmt.Errorf("take: %v %v", err, resp)
		}
		if resp, page, err := c.Post("/inbox/"+m[1]+"/block", url.Values{"block_reason": {"Blocked for the scan."}}); err != nil || resp.StatusCode != 303 {
			return fmt.Errorf("block: %v %v %.300s", err, resp, page)
		}
	}
	return nil
}

// fill posts the form of page whose action is path as a browser would,
// with the fields given replacing the form's own values.
func fill(c *office.Client, page, path string, fields url.Values) error {
	_, html, err := c.Get(page)
	if err != nil {
		return err
	}
	_, forms := parse(html)
	form := url.Values{}
	for _, f := range forms {
		if f.path == path {
			form, _ = url.ParseQuery(f.data)
			break
		}
	}
	for k, v := range fields {
		form[k] = v
	}
	resp, answer, err := c.Post(path, form)
	if err != nil || resp.StatusCode != 303 {
		var status int
		if resp != nil {
			status = resp.StatusCode
		}
		problems := regexp.MustCompile(`class="error-message"[^>]*>([^<]*)<|role="alert"[^>]*>([^<]*)<`).FindAllString(answer, 5)
		return fmt.Errorf("prepare %s: %v %d %v", path, err, status, problems)
	}
	return nil
}

// crawl fetches the pages a person reaches from their start pages (two
// links deep, same office only) and returns the forms that post and the
// links with a query string.
func crawl(c *office.Client, who string, extra ...string) []target {
	start := append(extra, "/", "/threads", "/account", "/inbox", "/live", "/live/queue", "/admin", "/supervision", "/recover", "/login", "/register",
		"/recover/mail", "/help", "/terms", "/inbox/settings", "/inbox/absence", "/inbox/snippets", "/inbox/assignments", "/inbox/accounts",
		"/live/slots", "/live/groups", "/live/callback", "/roster", "/admin/themes", "/admin/regions", "/admin/snippets", "/admin/settings",
		"/admin/workday", "/admin/quality", "/admin/offices", "/admin/audit", "/admin/statistics", "/admin/surveys", "/admin/staff",
		"/inbox/supervision", "/threads/new")
	visited := map[string]bool{}
	var targets []target
	queue := start
	for depth := 0; depth < 3 && len(queue) > 0; depth++ {
		var next []string
		for _, p := range queue {
			if visited[p] || len(visited) > 400 {
				continue
			}
			visited[p] = true
			resp, page, err := c.Get(p)
			if err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
				continue
			}
			links, forms := parse(page)
			for _, f := range forms {
				f.who = who
				targets = append(targets, f)
			}
			for _, l := range links {
				u, err := url.Parse(l)
				if err != nil || u.Host != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "/static/") {
					continue
				}
				if u.RawQuery != "" && u.Query().Get("lang") == "" {
					targets = append(targets, target{who: who, method: "GET", path: u.RequestURI()})
				}
				if u.Path != "/logout" && !strings.HasSuffix(u.Path, ".csv") && !strings.HasSuffix(u.Path, "/export") {
					next = append(next, u.Path)
				}
			}
		}
		queue = next
	}
	return targets
}

// parse returns a page's links and its forms that post, each with its
// fields as a browser would send them.
func parse(page string) (links []string, forms []target) {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return nil, nil
	}
	var walk func(n *html.Node, form *target, fields url.Values)
	walk = func(n *html.Node, form *target, fields url.Values) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "a":
				if href := attr(n, "href"); href != "" {
					links = append(links, href)
				}
			case "form":
				if strings.EqualFold(attr(n, "method"), "post") {
					f := &target{method: "POST", path: attr(n, "action")}
					vals := url.Values{}
					for c := n.FirstChild; c != nil; c = c.NextSibling {
						walk(c, f, vals)
					}
					if f.path != "" {
						f.data = vals.Encode()
						forms = append(forms, *f)
					}
					return
				}
			case "input", "textarea", "select":
				if form != nil && attr(n, "name") != "" {
					v := attr(n, "value")
					switch {
					case n.Data == "textarea":
						v = "A text typed for the scan."
					case n.Data == "select":
						v = firstOption(n)
					case v == "" && attr(n, "type") == "password":
						v = "a passphrase for scanning"
					case v == "":
						v = "1"
					}
					if attr(n, "type") != "checkbox" || fields.Get(attr(n, "name")) == "" {
						fields.Add(attr(n, "name"), v)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, form, fields)
		}
	}
	walk(doc, nil, nil)
	return links, forms
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func firstOption(n *html.Node) string {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "option" && attr(c, "value") != "" {
			return attr(c, "value")
		}
		if v := firstOption(c); v != "" {
			return v
		}
	}
	return ""
}

// last are the forms scanned after all others, one at a time: they take
// something away from the scan's people, or (new terms) make every
// help-seeker's page lead to the terms until they accept them again.
var last = regexp.MustCompile(`/(handover|close|retire|availability|block|remove|end|cancel|delete|admin/terms)$`)

var ids = regexp.MustCompile(`[a-z2-7]{26}|[0-9]+`)

// normalise replaces ids in a path, so that one route is scanned once.
func normalise(p string) string {
	path, _, _ := strings.Cut(p, "?")
	return ids.ReplaceAllString(path, "{id}")
}

// sqlmap runs sqlmap against one target with the person's session and
// returns its verdict: "injectable", "clean" only when sqlmap tested the
// target's fields and the office answered as it answers a browser, or
// "NOT TESTED: why" when the answers were refusals or errors (a limiter's
// 429, a 403 or 404, a server error, a lost connection, a session that
// ended), because then sqlmap's "not injectable" means nothing.
func sqlmap(work, base string, c *office.Client, t target, level int, home string) (string, error) {
	// One request as the person's browser first: the form must answer as
	// it does for them, not with a refusal.
	var form url.Values
	if t.method == "POST" {
		form, _ = url.ParseQuery(t.data)
		if form == nil {
			form = url.Values{}
		}
	}
	// A form that sends no field to a path without ids has no input to
	// inject into (extending the session is one).
	if t.method == "POST" && t.data == "" && !idSegment.MatchString(t.path) {
		return "no input: the form sends no field and its path holds no id", nil
	}
	// A form without fields has only the ids in its path to test: sqlmap
	// gets them marked, an unknown id's 404 is then the office's real
	// answer, and no request goes first (it would use up what the form
	// ends or deletes).
	target := base + t.path
	var expected int
	if t.method == "POST" && t.data == "" {
		target = base + markIDs(t.path)
		expected = 404
	} else if resp, answer, err := c.Do(context.Background(), t.method, base, t.path, form); err != nil {
		return "NOT TESTED: " + err.Error(), nil
	} else if resp.StatusCode/100 == 4 && resp.StatusCode != 429 && strings.Contains(answer, `action="`+t.path+`"`) {
		// A form that refuses wrong credentials (a recovery code, a
		// password) answers 401 with the form shown again: that is its
		// real answer, and sqlmap's requests get it too. Any other refusal
		// means the form was never reached.
		expected = resp.StatusCode
	} else if refused(resp.StatusCode) {
		return fmt.Sprintf("NOT TESTED: the form answers %d before the scan", resp.StatusCode), nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	args := []string{"-u", target, "--batch", "--level", fmt.Sprint(level), "--risk", "1",
		"--cookie", c.Cookie(), "--headers", "Origin: " + base + "\nSec-Fetch-Site: same-origin",
		"--output-dir", work, "--flush-session", "--disable-coloring",
		"--threads", "2", "--answers", "follow=N", "--technique", "BEUST", "--time-sec", "2"}
	if t.method == "POST" {
		args = append(args, "--data", t.data, "--method", "POST")
	}
	if expected != 0 {
		args = append(args, "--ignore-code", fmt.Sprint(expected))
	}
	out, err := exec.CommandContext(ctx, "sqlmap", args...).CombinedOutput()
	if ctx.Err() != nil {
		return "NOT TESTED: sqlmap did not finish within 10 minutes", nil
	}
	text := string(out)
	if os.Getenv("SECURITYCHECK_LOG") != "" {
		fmt.Fprintf(os.Stderr, "== sqlmap %s\n%s\n", t.path, text)
	}
	if strings.Contains(text, "is vulnerable") || strings.Contains(text, "sqlmap identified the following injection point") {
		return "injectable", nil
	}
	if why := troubled(text, expected); why != "" {
		return "NOT TESTED: " + why, nil
	}
	if home != "" {
		resp, _, err := c.Get(home)
		if err != nil || resp.StatusCode != 200 {
			return fmt.Sprintf("NOT TESTED: the session no longer works after the scan (%s answers %v %v)", home, err, statusOf(resp)), nil
		}
	}
	// "Not injectable" counts only when sqlmap sent its payloads: a
	// parameter it skipped (as static, say) was never tested.
	tested := strings.Count(text, "[INFO] testing '")
	switch {
	case strings.Contains(text, "all tested parameters do not appear to be injectable") && tested > 0:
		return fmt.Sprintf("clean (%d tests%s)", tested, refusals(text)), nil
	case strings.Contains(text, "all tested parameters do not appear to be injectable"),
		strings.Contains(text, "no parameter(s) found for testing"):
		return "NOT TESTED: sqlmap sent no payload", nil
	case err != nil:
		return "", fmt.Errorf("sqlmap on %s: %v\n%s", t.path, err, text)
	}
	last := "no verdict"
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "[CRITICAL]") {
			_, last, _ = strings.Cut(line, "[CRITICAL] ")
		}
	}
	// The end of sqlmap's log goes to standard error, to show why.
	lines := strings.Split(strings.TrimSpace(text), "\n")
	fmt.Fprintf(os.Stderr, "sqlmap on %s ended without a verdict:\n%s\n", t.path, strings.Join(lines[max(0, len(lines)-15):], "\n"))
	return "NOT TESTED: sqlmap: " + last, nil
}

// refused are the answers that mean the request never reached the form's
// handling: not logged in, not allowed, gone, rate-limited, or broken.
func refused(status int) bool {
	switch status {
	case 401, 403, 404, 405, 429:
		return true
	}
	return status >= 500
}

var httpErrors = regexp.MustCompile(`(\d{3}) \([^)]*\) - (\d+) times`)

// troubled says what in sqlmap's log shows that its requests did not get
// the office's real answers, or "" when nothing does; expected is the
// refusal the form itself gives (0 for none). Any rate limit or server
// error counts; refusals (401, 403, 404, 405) count when there are as many
// of them as payload tests, each of which sends at least one request: a
// form that takes something away (a handover) may refuse the one request
// after the one that carried it out, but not most of them.
func troubled(log string, expected int) string {
	for _, bad := range []string{"connection timed out", "unable to connect", "connection refused", "target URL is not responding",
		"not able to connect", "connection reset"} {
		if strings.Contains(strings.ToLower(log), bad) {
			return "sqlmap reports " + bad
		}
	}
	tests := strings.Count(log, "[INFO] testing '")
	if _, after, ok := strings.Cut(log, "HTTP error codes detected during run:"); ok {
		line, _, _ := strings.Cut(after, "\n[")
		var problems []string
		for _, m := range httpErrors.FindAllStringSubmatch(line, -1) {
			status, _ := strconv.Atoi(m[1]) // three digits, by the pattern
			times, _ := strconv.Atoi(m[2])
			if refused(status) && status != expected && (status == 429 || status >= 500 || times >= tests) {
				problems = append(problems, m[1]+" "+m[2]+" times")
			}
		}
		if len(problems) > 0 {
			return fmt.Sprintf("the office answered %s to %d payload tests", strings.Join(problems, ", "), tests)
		}
	}
	return ""
}

func sqlmapVersion() string {
	out, err := exec.Command("sqlmap", "--version").Output()
	if err != nil {
		return "(version unknown)"
	}
	first, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return first
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func statusOf(resp *http.Response) string {
	if resp == nil {
		return "nothing"
	}
	return fmt.Sprint(resp.StatusCode, " ", resp.Header.Get("Location"))
}

var idSegment = regexp.MustCompile(`/([a-z2-7]{26}|[0-9]+)(/|$)`)

// markIDs marks each id in a path as a place for sqlmap to inject.
func markIDs(path string) string {
	return idSegment.ReplaceAllString(path, "/$1*$2")
}

// refusals lists the HTTP errors sqlmap saw, for the report.
func refusals(log string) string {
	_, after, ok := strings.Cut(log, "HTTP error codes detected during run:")
	if !ok {
		return ""
	}
	line, _, _ := strings.Cut(after, "\n[")
	var seen []string
	for _, m := range httpErrors.FindAllStringSubmatch(line, -1) {
		seen = append(seen, m[1]+" "+m[2]+"×")
	}
	return "; answered " + strings.Join(seen, ", ")
}
