package main

import (
	"flag"
	"fmt"
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
}

// bindFlags registers the configuration flags on fs with defaults taken from the
// environment.
func (c *Config) bindFlags(fs *flag.FlagSet, getenv func(string) string) {
	str := func(p *string, name, env, def, usage string) {
		if v := getenv(env); v != "" {
			def = v
		}
		fs.StringVar(p, name, def, usage+" (env "+env+")")
	}
	str(&c.Addr, "addr", "CONFIDANT_ADDR", "127.0.0.1:8080", "listen address")
	str(&c.Data, "data", "CONFIDANT_DATA", "./data", "folder holding confidant.db and the key files")
	str(&c.BaseURL, "base-url", "CONFIDANT_BASE_URL", "", "public URL used in mails and invite links (default http://<addr>)")
	str(&c.SMTP, "smtp", "CONFIDANT_SMTP", "", "smtp://[user:pass@]host:port or smtps://...; empty sends no mail")
	str(&c.SMTPFrom, "smtp-from", "CONFIDANT_SMTP_FROM", "Confidant <no-reply@localhost>", "sender of notifications")
	str(&c.TLSCert, "tls-cert", "CONFIDANT_TLS_CERT", "", "PEM certificate; with --tls-key serves HTTPS")
	str(&c.TLSKey, "tls-key", "CONFIDANT_TLS_KEY", "", "PEM private key")
	str(&c.HTTPRedirectAddr, "http-redirect-addr", "CONFIDANT_HTTP_REDIRECT_ADDR", "", "with TLS: also listen here and redirect to HTTPS")
	str(&c.QuickExitURL, "quick-exit-url", "CONFIDANT_QUICK_EXIT_URL", "https://www.wikipedia.org/", "where the quick-exit link leads")
}

// baseURL is the public URL: --base-url, or the listen address.
func (c *Config) baseURL() string {
	if c.BaseURL != "" {
		return strings.TrimRight(c.BaseURL, "/")
	}
	scheme := "http"
	if c.TLS() {
		scheme = "https"
	}
	return scheme + "://" + c.Addr
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
	if c.Data == "" {
		return fmt.Errorf("--data must not be empty")
	}
	return nil
}
