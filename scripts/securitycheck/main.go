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
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"confidant/scripts/office"

	"golang.org/x/net/html"
)

// skipped are forms sqlmap is not pointed at, because each test request
// would carry them out: the session or account would end, or the staff
// member who runs the scan would lose their rights. Their parameters are
// the same kinds as elsewhere (ids in the path, text bodies, passwords).
var skipped = map[string]string{
	"/logout":         "ends the session the scan uses",
	"/account/delete": "deletes the account the scan uses",
}

// skippedPattern says why forms whose path matches are left out.
var skippedPattern = []struct {
	re  *regexp.Regexp
	why string
}{
	{regexp.MustCompile(`^/admin/staff/[^/]+/(disable|role)$`), "would disable or demote the staff the scan uses"},
}

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
}

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
	for _, role := range []string{"counsellor", "supervisor"} {
		if invites[role], err = office.Invite(bin, data, base, role, "Scan "+role); err != nil {
			return err
		}
	}
	o, err := office.Start(bin, data, addr)
	if err != nil {
		return err
	}
	defer o.Kill()

	people := map[string]*office.Client{}
	seeker := office.NewClient(base)
	if err := seeker.Register("Scan Seeker", "a passphrase for scanning", "scan@example.org"); err != nil {
		return err
	}
	// Two threads: one the counsellor keeps open, one they close, so that
	// the forms of an open conversation and the ratings of a closed one
	// both exist.
	for _, body := range []string{"A first message to scan.", "A second message to scan."} {
		if resp, _, err := seeker.Post("/threads/new", url.Values{"theme": {"anxiety"}, "body": {body}}); err != nil || resp.StatusCode != 303 {
			return fmt.Errorf("new thread: %v %v", err, resp)
		}
	}
	people["help-seeker"] = seeker
	for role, link := range invites {
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
	if err := prepare(people); err != nil {
		return err
	}

	var targets []target
	seen := map[string]bool{}
	for _, who := range sortedKeys(people) {
		for _, t := range crawl(people[who], who) {
			key := t.method + " " + normalise(t.path)
			if seen[key] || !strings.Contains(t.path, match) {
				continue
			}
			seen[key] = true
			targets = append(targets, t)
		}
	}

	// Forms that take something away from the scan's own people (a thread
	// handed over or closed, a theme retired) come last, so that the others
	// are scanned while everything they need still exists.
	sort.SliceStable(targets, func(i, j int) bool { return !last.MatchString(targets[i].path) && last.MatchString(targets[j].path) })
	if list {
		for _, t := range targets {
			fmt.Printf("%-4s %-40s as %-11s %s %s\n", t.method, normalise(t.path), t.who, t.data, skipReason(t.path))
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
		verdicts[i], errs[i] = sqlmap(filepath.Join(work, fmt.Sprint(i)), base, people[t.who], t, level)
		if errs[i] == nil {
			fmt.Printf("%-9s %-4s %-40s as %s\n", verdicts[i], t.method, normalise(t.path), t.who)
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, parallel))
	for i, t := range targets {
		if skipReason(t.path) != "" || last.MatchString(t.path) {
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
		if skipReason(t.path) == "" && last.MatchString(t.path) {
			scan(i)
		}
	}
	var findings int
	for i, t := range targets {
		if why := skipReason(t.path); why != "" {
			fmt.Fprintf(&out, "skipped   %-4s %-40s %s\n", t.method, normalise(t.path), why)
			continue
		}
		if errs[i] != nil {
			return errs[i]
		}
		if verdicts[i] == "injectable" {
			findings++
		}
		fmt.Fprintf(&out, "%-9s %-4s %-40s as %s\n", verdicts[i], t.method, normalise(t.path), t.who)
	}
	fmt.Fprintf(&out, "\n%d targets, %d injectable\n", len(targets), findings)
	if report != "" {
		if err := os.WriteFile(report, out.Bytes(), 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("%d targets, %d injectable\n", len(targets), findings)
	if findings > 0 {
		return fmt.Errorf("sqlmap found %d injectable targets", findings)
	}
	return nil
}

// prepare gives the scan's people what makes the newer forms appear: the
// counsellor takes both threads and closes one (replies, notes, blocking,
// supervision and ratings on both sides), offers an appointment slot (booking
// and cancelling), and the supervisor schedules a group chat that the
// counsellor moderates (joining, speaking, muting, ending).
func prepare(people map[string]*office.Client) error {
	c, sup := people["counsellor"], people["supervisor"]
	_, inbox, err := c.Get("/inbox")
	if err != nil {
		return err
	}
	takes := regexp.MustCompile(`action="/inbox/([a-z2-7]{26})/take"`).FindAllStringSubmatch(inbox, -1)
	if len(takes) < 2 {
		return fmt.Errorf("the counsellor's inbox offers %d threads to take, want 2", len(takes))
	}
	for _, m := range takes {
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
	return nil
}

// crawl fetches the pages a person reaches from their start pages (two
// links deep, same office only) and returns the forms that post and the
// links with a query string.
func crawl(c *office.Client, who string) []target {
	start := []string{"/", "/threads", "/account", "/inbox", "/live", "/live/queue", "/admin", "/supervision", "/recover", "/login", "/register",
		"/recover/mail", "/help", "/terms", "/inbox/settings", "/inbox/absence", "/inbox/snippets", "/inbox/assignments", "/inbox/accounts",
		"/live/slots", "/live/groups", "/live/callback", "/roster", "/admin/themes", "/admin/regions", "/admin/snippets", "/admin/settings",
		"/admin/workday", "/admin/quality", "/admin/offices", "/admin/audit", "/admin/statistics"}
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

var last = regexp.MustCompile(`/(handover|close|retire|availability|block|remove|end|cancel|delete)$`)

var ids = regexp.MustCompile(`[a-z2-7]{26}|[0-9]+`)

// normalise replaces ids in a path, so that one route is scanned once.
func normalise(p string) string {
	path, _, _ := strings.Cut(p, "?")
	return ids.ReplaceAllString(path, "{id}")
}

func skipReason(p string) string {
	path := normalise(p)
	if why := skipped[path]; why != "" {
		return why
	}
	for _, s := range skippedPattern {
		if s.re.MatchString(path) {
			return s.why
		}
	}
	return ""
}

// sqlmap runs sqlmap against one target with the person's session and
// returns "clean" or "injectable".
func sqlmap(work, base string, c *office.Client, t target, level int) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	args := []string{"-u", base + t.path, "--batch", "--level", fmt.Sprint(level), "--risk", "1",
		"--cookie", c.Cookie(), "--headers", "Origin: " + base + "\nSec-Fetch-Site: same-origin",
		"--output-dir", work, "--flush-session", "--disable-coloring",
		"--threads", "2", "--skip-static", "--answers", "follow=N", "--technique", "BEUST", "--time-sec", "2"}
	if t.method == "POST" {
		args = append(args, "--data", t.data, "--method", "POST")
	}
	out, err := exec.CommandContext(ctx, "sqlmap", args...).CombinedOutput()
	if ctx.Err() != nil {
		return "", fmt.Errorf("sqlmap on %s did not finish", t.path)
	}
	text := string(out)
	switch {
	case strings.Contains(text, "is vulnerable") || strings.Contains(text, "sqlmap identified the following injection point"):
		return "injectable", nil
	case strings.Contains(text, "all tested parameters do not appear to be injectable"),
		strings.Contains(text, "no parameter(s) found for testing"):
		return "clean", nil
	case err != nil:
		return "", fmt.Errorf("sqlmap on %s: %v\n%s", t.path, err, text)
	}
	return "clean", nil
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
