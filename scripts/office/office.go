// Package office drives the real confidant binary from outside, as the
// operator scripts (crashtest, securitycheck) need: it builds the binary,
// starts and kills offices, and gives each person a browser-like client.
package office

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"confidant/counselling/twofactor"
)

// Build builds the binary into dir, with the build tags given, and returns
// its path.
func Build(dir string, tags ...string) (string, error) {
	bin := dir + "/confidant"
	build := exec.Command("go", "build", "-tags", strings.Join(tags, ","), "-o", bin, "./cmd/confidant")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("build: %w", err)
	}
	return bin, nil
}

// FreeAddr is a free loopback address.
func FreeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Office is a running confidant serve process.
type Office struct {
	Bin  string
	Data string
	Addr string
	Base string
	cmd  *exec.Cmd
	log  *logBuffer
	// AdminLink is the one-time link for the first admin, printed at the
	// first start of a fresh data folder.
	AdminLink string
}

var adminLink = regexp.MustCompile(`http://\S+/invite/\S+`)

// Start runs the office on data and addr with the extra flags and waits
// until it answers.
func Start(bin, data, addr string, extra ...string) (*Office, error) {
	o := &Office{Bin: bin, Data: data, Addr: addr, Base: "http://" + addr}
	args := append([]string{"serve", "--data", data, "--addr", addr, "--base-url", o.Base, "--turn-addr", "off"}, extra...)
	o.cmd = exec.Command(bin, args...)
	stdout, err := o.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	o.log = &logBuffer{}
	o.cmd.Stderr = o.log
	// The benchmark keeps the office's log (and the runtime's GC trace, with
	// GODEBUG=gctrace=1) in a file when it profiles; Log is then empty.
	if name := os.Getenv("CONFIDANT_OFFICE_STDERR"); name != "" {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		o.cmd.Stderr = f
	}
	if err := o.cmd.Start(); err != nil {
		return nil, err
	}
	links := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if l := adminLink.FindString(sc.Text()); l != "" {
				select {
				case links <- l:
				default:
				}
			}
		}
	}()
	for range 200 {
		resp, err := http.Get(o.Base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				select {
				case o.AdminLink = <-links:
				case <-time.After(200 * time.Millisecond):
				}
				return o, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	o.Kill()
	return nil, errors.New("the office did not answer within 10 s of starting")
}

// logBuffer keeps what the office writes to its log, for a caller to read
// while it runs.
type logBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Log is what the office has written to its log (standard error) so far.
func (o *Office) Log() string {
	o.log.mu.Lock()
	defer o.log.mu.Unlock()
	return o.log.buf.String()
}

// Pid is the office's process id.
func (o *Office) Pid() int { return o.cmd.Process.Pid }

// Kill ends the office with SIGKILL, as a crash would.
func (o *Office) Kill() {
	if o.cmd != nil && o.cmd.ProcessState == nil {
		o.cmd.Process.Signal(syscall.SIGKILL)
		o.cmd.Wait()
	}
}

// Invite adds a staff member to a (stopped or running) office's data and
// returns the one-time invite link; extra flags (such as --database) follow.
func Invite(bin, data, base, role, name string, extra ...string) (string, error) {
	args := append([]string{"staff", "add", "--role", role, "--name", name, "--data", data, "--base-url", base}, extra...)
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		return "", fmt.Errorf("staff add: %w", err)
	}
	return adminLink.FindString(string(out)), nil
}

// Client is one person's browser: its own cookies, same-origin posts, and
// redirects not followed.
type Client struct {
	Base string
	HTTP *http.Client
}

// NewClient returns a browser for the office at base.
func NewClient(base string) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{Base: base, HTTP: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Do sends a request to the office at base (the client's own, or another
// office on the same host, which gets the same cookies).
func (c *Client) Do(ctx context.Context, method, base, path string, form url.Values) (*http.Response, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return nil, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Origin", base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	return resp, string(page), err
}

// Post posts form to path.
func (c *Client) Post(path string, form url.Values) (*http.Response, string, error) {
	return c.Do(context.Background(), http.MethodPost, c.Base, path, form)
}

// Get fetches path.
func (c *Client) Get(path string) (*http.Response, string, error) {
	return c.Do(context.Background(), http.MethodGet, c.Base, path, nil)
}

// Cookie is the session cookie as a Cookie header value.
func (c *Client) Cookie() string {
	u, _ := url.Parse(c.Base)
	var parts []string
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	return strings.Join(parts, "; ")
}

var totpSecret = regexp.MustCompile(`id="totp-secret"[^>]*>([A-Z2-7]+)<`)

// Enrol accepts a staff invite with a password and a TOTP code, and returns
// the TOTP secret.
func (c *Client) Enrol(link, password string) (string, error) {
	path := strings.TrimPrefix(link, c.Base)
	_, page, err := c.Get(path)
	if err != nil {
		return "", err
	}
	m := totpSecret.FindStringSubmatch(page)
	if m == nil {
		return "", errors.New("the invite page shows no TOTP key")
	}
	code, err := twofactor.Code(m[1], time.Now())
	if err != nil {
		return "", err
	}
	resp, _, err := c.Post(path, url.Values{"password": {password}, "totp_code": {code}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("enrol: %v %v", err, resp)
	}
	return m[1], nil
}

// Register registers a help-seeker (email may be empty).
func (c *Client) Register(nick, password, email string) error {
	resp, page, err := c.Post("/register", url.Values{"nickname": {nick}, "password": {password},
		"email": {email}, "accept_terms": {"yes"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("register: %v %v %.200s", err, resp, page)
	}
	return nil
}
