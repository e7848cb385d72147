package main

import (
	"flag"
	"fmt"
	"net"
	"strings"
)

// Config is the installation's configuration: flags, each with an environment
// variable; a flag given on the command line wins over its variable.
type Config struct {
	Addr             string
	Data             string
	BaseURL          string
	SMTP             string
	SMTPFrom         string
	TLSCert          string
	TLSKey           string
	HTTPRedirectAddr string
	QuickExitURL     string
	TURNAddr         string
	TURNRelayIP      string
	MetricsAddr      string
}

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

// bindData registers --data, which every command takes.
func (c *Config) bindData(fs *flag.FlagSet, getenv func(string) string) {
	str(fs, getenv, &c.Data, "data", "CONFIDANT_DATA", "./data", "folder holding confidant.db and the key files")
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
	str(fs, getenv, &c.QuickExitURL, "quick-exit-url", "CONFIDANT_QUICK_EXIT_URL", "https://www.wikipedia.org/", "where the quick-exit link leads")
	str(fs, getenv, &c.TURNAddr, "turn-addr", "CONFIDANT_TURN_ADDR", defaultTURNAddr, "UDP and TCP listen address of the built-in TURN relay for calls; off disables calls")
	str(fs, getenv, &c.MetricsAddr, "metrics-addr", "CONFIDANT_METRICS_ADDR", "", "serve Prometheus metrics at /metrics on this address, apart from the office's; empty serves none")
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

// TLS reports whether the office serves HTTPS.
func (c *Config) TLS() bool { return c.TLSCert != "" || c.TLSKey != "" }

func (c *Config) validate() error {
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if c.HTTPRedirectAddr != "" && !c.TLS() {
		return fmt.Errorf("--http-redirect-addr needs --tls-cert and --tls-key")
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
	return nil
}
