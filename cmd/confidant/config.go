package main

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"confidant/store"

	"github.com/robfig/cron/v3"
)

// Config is the installation's configuration: flags, each with an environment
// variable; a flag given on the command line wins over its variable.
type Config struct {
	Addr             string
	Data             string
	Database         string
	BaseURL          string
	SMTP             string
	SMTPFrom         string
	TLSCert          string
	TLSKey           string
	HTTPRedirectAddr string
	ACMEDomains      []string
	ACMEDirectory    string
	ACMEEmail        string
	QuickExitURL     string
	TURNAddr         string
	TURNRelayIP      string
	MetricsAddr      string
	// LoginsPerMinute is how many logins, registrations and other guarded
	// attempts one client may make a minute.
	LoginsPerMinute string
	// PurgeSchedule is when the nightly purge runs: a cron line in UTC.
	PurgeSchedule string
}

// defaultPurgeSchedule is when the nightly purge runs unless told otherwise:
// at half past three, when offices are quietest.
const defaultPurgeSchedule = "30 3 * * *"

// defaultAddr is where the office listens unless told otherwise.
const defaultAddr = "127.0.0.1:8080"

// defaultTURNAddr is where the call relay listens unless told otherwise, and
// turnOff is the --turn-addr that runs no relay and offers no calls.
const (
	defaultTURNAddr = "127.0.0.1:3478"
	turnOff         = "off"
)

// str registers a string flag whose default comes from its environment
// variable when that is set.
func str(fs *flag.FlagSet, getenv func(string) string, p *string, name, env, def, usage string) {
	if v := getenv(env); v != "" {
		def = v
	}
	fs.StringVar(p, name, def, usage+" (env "+env+")")
}

// domainList is a repeatable flag. Its environment variable gives the
// default, comma-separated; the first time the flag is given it replaces
// that default, since flags win.
type domainList struct {
	names   *[]string
	fromEnv bool
}

func (d *domainList) String() string {
	if d.names == nil {
		return ""
	}
	return strings.Join(*d.names, ",")
}

func (d *domainList) Set(v string) error {
	if d.fromEnv {
		*d.names, d.fromEnv = nil, false
	}
	*d.names = append(*d.names, strings.TrimSpace(v))
	return nil
}

// domains registers a repeatable flag whose default comes from its
// environment variable, comma-separated.
func domains(fs *flag.FlagSet, getenv func(string) string, p *[]string, name, env, usage string) {
	*p = nil
	for _, v := range strings.Split(getenv(env), ",") {
		if v = strings.TrimSpace(v); v != "" {
			*p = append(*p, v)
		}
	}
	fs.Var(&domainList{names: p, fromEnv: len(*p) > 0}, name, usage+" (env "+env+")")
}

// bindData registers --data and --database, which every command takes.
func (c *Config) bindData(fs *flag.FlagSet, getenv func(string) string) {
	str(fs, getenv, &c.Data, "data", "CONFIDANT_DATA", "./data", "folder holding confidant.db and the key files")
	str(fs, getenv, &c.Database, "database", "CONFIDANT_DATABASE", "",
		"postgres://… to keep the office in that PostgreSQL database instead of confidant.db (the key files stay in --data); empty: SQLite")
}

// checkDatabase refuses a --database that names no PostgreSQL database.
func (c *Config) checkDatabase() error {
	if c.Database != "" && !store.IsPostgres(c.Database) {
		return fmt.Errorf("--database must be empty (SQLite in --data) or a postgres:// URL")
	}
	return nil
}

// bindBaseURL registers --base-url, for the commands that make links.
func (c *Config) bindBaseURL(fs *flag.FlagSet, getenv func(string) string) {
	str(fs, getenv, &c.BaseURL, "base-url", "CONFIDANT_BASE_URL", "", "public URL used in mails and invite links (default http://<addr>; 127.0.0.1 for a wildcard address)")
}

// bindServer registers the flags only the running office uses.
func (c *Config) bindServer(fs *flag.FlagSet, getenv func(string) string) {
	str(fs, getenv, &c.Addr, "addr", "CONFIDANT_ADDR", defaultAddr, "listen address")
	str(fs, getenv, &c.SMTP, "smtp", "CONFIDANT_SMTP", "", "smtp://[user:pass@]host:port or smtps://...; empty sends no mail")
	str(fs, getenv, &c.SMTPFrom, "smtp-from", "CONFIDANT_SMTP_FROM", "Confidant <no-reply@localhost>", "sender of notifications")
	str(fs, getenv, &c.TLSCert, "tls-cert", "CONFIDANT_TLS_CERT", "", "PEM certificate; with --tls-key serves HTTPS")
	str(fs, getenv, &c.TLSKey, "tls-key", "CONFIDANT_TLS_KEY", "", "PEM private key")
	str(fs, getenv, &c.HTTPRedirectAddr, "http-redirect-addr", "CONFIDANT_HTTP_REDIRECT_ADDR", "", "with TLS: also listen here and redirect to HTTPS")
	domains(fs, getenv, &c.ACMEDomains, "acme-domain", "CONFIDANT_ACME_DOMAIN",
		"obtain and renew certificates for this name from the ACME directory and serve HTTPS on --addr (repeatable; env comma-separated)")
	str(fs, getenv, &c.ACMEDirectory, "acme-directory", "CONFIDANT_ACME_DIRECTORY", letsEncrypt, "the ACME directory URL")
	str(fs, getenv, &c.ACMEEmail, "acme-email", "CONFIDANT_ACME_EMAIL", "", "contact address of the ACME account")
	str(fs, getenv, &c.QuickExitURL, "quick-exit-url", "CONFIDANT_QUICK_EXIT_URL", "https://www.wikipedia.org/", "where the quick-exit link leads")
	str(fs, getenv, &c.TURNAddr, "turn-addr", "CONFIDANT_TURN_ADDR", defaultTURNAddr, "UDP and TCP listen address of the built-in TURN relay for calls; off disables calls")
	str(fs, getenv, &c.MetricsAddr, "metrics-addr", "CONFIDANT_METRICS_ADDR", "", "serve Prometheus metrics at /metrics on this address, apart from the office's; empty serves none")
	str(fs, getenv, &c.LoginsPerMinute, "logins-per-minute", "CONFIDANT_LOGINS_PER_MINUTE", "10",
		"logins, registrations and other guarded attempts one client (an address, or its /56 network) may make a minute; raise it for offices whose users share one address")
	str(fs, getenv, &c.PurgeSchedule, "purge-schedule", "CONFIDANT_PURGE_SCHEDULE", defaultPurgeSchedule,
		"when the nightly purge runs: a cron line (minute hour day month weekday) in UTC; with several nodes it runs on one of them")
	str(fs, getenv, &c.TURNRelayIP, "turn-relay-ip", "CONFIDANT_TURN_RELAY_IP", "", "the relay's address given to browsers and used as the relayed address; the server's public IP in production (default the host of --turn-addr)")
}

// defaultBaseURL is the base URL of an office listening on addr without
// --base-url. A wildcard host (":8080", "0.0.0.0", "::") is no address a
// browser can open, so its links lead to the loopback address instead, and
// wildcard says so: the operator should then set --base-url.
func defaultBaseURL(scheme, addr string) (url string, wildcard bool) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return scheme + "://" + addr, false
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		return scheme + "://" + net.JoinHostPort("127.0.0.1", port), true
	}
	return scheme + "://" + net.JoinHostPort(host, port), false
}

// TLS reports whether the office serves HTTPS, from certificate files or
// with certificates from an ACME directory.
func (c *Config) TLS() bool { return c.TLSCert != "" || c.TLSKey != "" || len(c.ACMEDomains) > 0 }

func (c *Config) validate() error {
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if len(c.ACMEDomains) > 0 && c.TLSCert != "" {
		return fmt.Errorf("--acme-domain and --tls-cert exclude each other: certificates come either from the ACME directory or from files")
	}
	for _, d := range c.ACMEDomains {
		if err := acmeName(d); err != nil {
			return err
		}
	}
	if c.HTTPRedirectAddr != "" && !c.TLS() {
		return fmt.Errorf("--http-redirect-addr needs --tls-cert and --tls-key, or --acme-domain")
	}
	if len(c.ACMEDomains) > 0 {
		if u, err := url.Parse(c.ACMEDirectory); err != nil || u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("--acme-directory must be an https:// URL")
		}
	}
	if c.SMTP != "" && !strings.HasPrefix(c.SMTP, "smtp://") && !strings.HasPrefix(c.SMTP, "smtps://") {
		return fmt.Errorf("--smtp must start with smtp:// or smtps://")
	}
	if c.TURNAddr == "" {
		return fmt.Errorf("--turn-addr must not be empty; %q disables calls", turnOff)
	}
	if c.Data == "" {
		return fmt.Errorf("--data must not be empty")
	}
	if err := c.checkDatabase(); err != nil {
		return err
	}
	if n, err := strconv.Atoi(c.LoginsPerMinute); err != nil || n < 1 || n > 100000 {
		return fmt.Errorf("--logins-per-minute must be a whole number from 1 to 100000")
	}
	if _, err := cron.ParseStandard(c.PurgeSchedule); err != nil {
		return fmt.Errorf("--purge-schedule must be a cron line such as %q (minute hour day month weekday, UTC)", defaultPurgeSchedule)
	}
	return nil
}

// acmeName checks that name is one an ACME directory issues certificates for:
// a full domain name (two labels at least, as ACME directories refuse names
// such as "localhost"), not an address.
func acmeName(name string) error {
	bad := func(why string) error {
		return fmt.Errorf("--acme-domain %q: %s; give the office's full domain name, such as office.example.org", name, why)
	}
	switch {
	case name == "":
		return bad("empty")
	case net.ParseIP(name) != nil:
		return bad("an IP address gets no certificate")
	case !strings.Contains(strings.Trim(name, "."), "."):
		return bad("a single-label name gets no certificate")
	case strings.ContainsAny(name, "/:@ *"):
		return bad("not a host name")
	}
	return nil
}
