package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"confidant/counselling"
	"confidant/counselling/live/turn"
	"confidant/counselling/mail"
	"confidant/counselling/metrics"
	"confidant/counselling/passwd"
	"confidant/counselling/push"
	"confidant/counselling/vault"
	"confidant/counselling/web"
	"confidant/store"
	"confidant/templates"

	"github.com/robfig/cron/v3"
)

// openStore opens the data folder: it creates it (0700) and the key files on
// first start, and refuses to start when a database exists without its keys.
func openStore(ctx context.Context, dir string, clock counselling.Clock) (*store.DB, error) {
	db, _, err := openStoreKeys(ctx, dir, "", clock)
	return db, err
}

// open opens the configured database: the SQLite file in --data, or the
// PostgreSQL database of --database, with the key files in --data.
func (c *Config) open(ctx context.Context, clock counselling.Clock) (*store.DB, error) {
	if err := c.checkDatabase(); err != nil {
		return nil, err
	}
	db, _, err := openStoreKeys(ctx, c.Data, c.Database, clock)
	return db, err
}

// openStoreKeys is openStore that also returns the keyring; database, when
// not empty, is the URL of a PostgreSQL database to open instead of the
// SQLite file. When a key rotation stopped between committing and installing
// the new key files, it finishes the rotation; when it stopped before
// committing, it discards the staged key files, which nothing depends on.
func openStoreKeys(ctx context.Context, dir, database string, clock counselling.Clock) (*store.DB, *vault.Keyring, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("create data folder: %w", err)
	}
	dbPath := filepath.Join(dir, store.FileName)
	_, statErr := os.Stat(dbPath)
	exists := statErr == nil
	if database != "" {
		dbPath = database
		var err error
		if exists, err = store.HoldsOffice(ctx, database); err != nil {
			return nil, nil, err
		}
	}
	keys, err := vault.LoadOrCreate(dir, exists)
	if err != nil {
		return nil, nil, err
	}
	db, err := store.Open(ctx, dbPath, keys, store.Options{Clock: clock})
	if err == nil {
		if vault.RotationStaged(dir) {
			if err := vault.DiscardRotation(dir); err != nil {
				db.Close()
				return nil, nil, err
			}
		}
		return db, keys, nil
	}
	if !store.IsWrongKey(err) || !vault.RotationStaged(dir) {
		return nil, nil, err
	}
	if rerr := vault.InstallRotation(dir, keys.Fingerprint()); rerr != nil {
		return nil, nil, errors.Join(err, rerr)
	}
	if keys, err = vault.LoadOrCreate(dir, true); err != nil {
		return nil, nil, err
	}
	db, err = store.Open(ctx, dbPath, keys, store.Options{Clock: clock})
	return db, keys, err
}

func (m *Main) serve(ctx context.Context, args []string) error {
	fs, cfg := m.serveFlags()
	rest, err := m.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q", rest[0])
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(m.Stderr, nil))
	clock := counselling.Clock(counselling.SystemClock{})

	// Everything that can fail without touching the data folder comes first:
	// a start that fails because a port is taken leaves no folder and no
	// keys behind.
	loginsPerMinute, _ := strconv.Atoi(cfg.LoginsPerMinute) // checked by validate
	https, err := newHTTPS(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	var redirectLn net.Listener
	if cfg.HTTPRedirectAddr != "" {
		if redirectLn, err = net.Listen("tcp", cfg.HTTPRedirectAddr); err != nil {
			return fmt.Errorf("listen on --http-redirect-addr: %w", err)
		}
		defer redirectLn.Close()
	}
	var metricsLn net.Listener
	if cfg.MetricsAddr != "" {
		if metricsLn, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			return fmt.Errorf("listen on --metrics-addr: %w", err)
		}
		defer metricsLn.Close()
	}
	// The call relay binds its ports now too, so that a taken TURN port
	// stops the start before the data folder exists.
	var relay *turn.Relay
	relayAddr := turnOff
	if cfg.TURNAddr != turnOff {
		if relay, err = turn.Listen(turn.Config{Addr: cfg.TURNAddr, RelayIP: cfg.TURNRelayIP, Clock: clock}); err != nil {
			return err
		}
		defer relay.Close()
		relayAddr = relay.Addr()
	}
	listenAddr := ln.Addr().String()
	scheme := "http"
	if https != nil {
		ln = tls.NewListener(ln, https.config)
		scheme = "https"
	}
	baseURL := strings.TrimRight(cfg.BaseURL, "/")
	if baseURL == "" && len(cfg.ACMEDomains) > 0 {
		baseURL = acmeBaseURL(cfg.ACMEDomains[0], listenAddr)
	}
	if baseURL == "" {
		var wildcard bool
		if baseURL, wildcard = defaultBaseURL(scheme, listenAddr); wildcard {
			logger.Warn("listening on every interface; links lead to the loopback address until --base-url gives the office's public address",
				"addr", listenAddr, "base_url", baseURL)
		}
	}

	unlock, err := lockData(cfg.Data)
	if err != nil {
		return err
	}
	defer unlock()
	if err := cfg.checkDatabase(); err != nil {
		return err
	}
	db, keys, err := openStoreKeys(ctx, cfg.Data, cfg.Database, clock)
	if err != nil {
		return err
	}
	db.SetLogger(logger)
	defer func() {
		if err := db.Close(); err != nil {
			logger.Error("close database", "error", err.Error())
		}
	}()
	if err := recordBaseURL(cfg.Data, baseURL); err != nil {
		return err
	}

	token, err := db.FirstAdminInvite(ctx)
	if err != nil {
		return err
	}
	if token != "" {
		fmt.Fprintf(m.Stdout, "No admin yet. Within %s, open this one-time link to create the first admin: %s/invite/%s\n",
			hours(counselling.FirstAdminInviteTTL), baseURL, token)
	}

	bg, stopBackground := context.WithCancel(context.Background())
	defer stopBackground()
	// With several nodes on PostgreSQL, live events and the live state cross
	// them; on SQLite this node is the office, and they stay in memory.
	cluster, err := joinCluster(bg, cfg.Database, db, keys, logger)
	if err != nil {
		return err
	}
	defer cluster.close()
	// The outbox worker runs with or without a mail server: notifications to
	// devices go out either way, and mails only with --smtp.
	pushKeys, err := push.LoadOrCreateKeys(cfg.Data)
	if err != nil {
		return err
	}
	translate := func(lang, id string, data map[string]any) string {
		return templates.Translate(lang, id, data, nil)
	}
	var sender *mail.Sender
	var sendInvite func(ctx context.Context, lang, to, link string) error
	if cfg.SMTP != "" {
		sender, err = mail.ParseURL(cfg.SMTP, cfg.SMTPFrom)
		if err == nil {
			err = sender.SetOfficeURL(baseURL)
		}
		if err != nil {
			return err
		}
		sendInvite = func(ctx context.Context, lang, to, link string) error {
			return sender.SendInvite(ctx, translate, lang, to, link)
		}
	}
	worker := mail.NewWorker(db, sender, baseURL, translate, logger)
	worker.SetForms(func(lang string, r counselling.Register, id string, data map[string]any) string {
		return templates.TranslateIn(lang, r, id, data, nil)
	})
	worker.SetPusher(push.NewSender(pushKeys, baseURL, pushContact(cfg.SMTPFrom), nil))
	mailWake := worker.Wake
	go worker.Run(bg, 15*time.Second)

	// One session policy for the web layer, which ends sessions, and for the
	// jobs that delete expired ones.
	sessions := counselling.DefaultSessionPolicy
	// Passwords are hashed in processes of their own at the lowest CPU
	// priority (the hidden hash-worker command of this binary), so that a
	// login flood hashes only with what the cores have left over.
	var hasher *passwd.Hasher
	if exe, err := ownBinary(); err == nil {
		hasher = passwd.NewSeparate(passwd.DefaultParams, 0, passwd.DefaultShare, 3*time.Second, hashWorkerProcess(exe))
		defer hasher.Close()
	} else {
		logger.Warn("password hashing stays in the office's process", "error", err.Error())
		hasher = passwd.New(passwd.DefaultParams, 0, 3*time.Second)
	}
	// The metrics read the live connections from the server, which is made
	// after them; the closure looks it up at each scrape.
	var server *web.Server
	var observe func(route, method string, status int, d time.Duration)
	var met *metrics.Metrics
	if metricsLn != nil {
		met = metrics.New(db, func() int64 { return server.LiveConnections() }, logger)
		observe = met.ObserveRequest
	}
	wcfg := web.Config{
		BaseURL:         baseURL,
		TLS:             https != nil,
		QuickExitURL:    cfg.QuickExitURL,
		Sessions:        sessions,
		MailEnabled:     cfg.SMTP != "",
		MailWake:        mailWake,
		PushKey:         pushKeys.Public,
		SendInvite:      sendInvite,
		Clock:           clock,
		Logger:          logger,
		Relay:           relay,
		ObserveRequest:  observe,
		LoginsPerMinute: loginsPerMinute,
	}
	cluster.configure(&wcfg)
	server = web.New(wcfg, db, hasher)

	jobs := cron.New(cron.WithLocation(time.UTC))
	if _, err := jobs.AddFunc("@every 10m", func() {
		n, err := db.DeleteExpiredSessions(context.Background(), sessions)
		if err != nil {
			logger.Error("purge sessions", "error", err.Error())
			return
		}
		if met != nil {
			met.SessionsPurged(n)
		}
		logger.Info("purge", "rule", "expired-sessions", "deleted", n)
	}); err != nil {
		return fmt.Errorf("schedule jobs: %w", err)
	}
	// Several nodes on one PostgreSQL database each schedule the nightly
	// purge and the digests; store.RunOnce lets one of them run each, by
	// the time the schedule fell due.
	purgeSchedule, err := cron.ParseStandard(cfg.PurgeSchedule)
	if err != nil {
		return fmt.Errorf("schedule jobs: %w", err)
	}
	digestSchedule, err := cron.ParseStandard(digestSpec)
	if err != nil {
		return fmt.Errorf("schedule jobs: %w", err)
	}
	if _, err := jobs.AddFunc(cfg.PurgeSchedule, func() {
		var stats *store.PurgeStats
		ran, err := db.RunOnce(context.Background(), "purge", due(purgeSchedule, clock.Now()), func(ctx context.Context) error {
			var err error
			stats, err = db.Purge(ctx, sessions, false)
			return err
		})
		if err == nil && !ran {
			logger.Info("purge skipped: another node ran it at this time")
			return
		}
		if err != nil {
			logger.Error("purge", "error", err.Error())
			if met != nil {
				met.PurgeFailed()
			}
			return
		}
		if met != nil {
			met.PurgeDone(stats.Counts, clock.Now())
		}
		for _, c := range stats.Counts {
			logger.Info("purge", "rule", c.Rule, "deleted", c.Count)
		}
		if mailWake != nil {
			mailWake()
		}
	}); err != nil {
		return fmt.Errorf("schedule jobs: %w", err)
	}
	if cfg.SMTP != "" {
		// On the hour, so that every node's run of the same hour is one.
		if _, err := jobs.AddFunc(digestSpec, func() {
			var n int
			_, err := db.RunOnce(context.Background(), "digests", due(digestSchedule, clock.Now()), func(ctx context.Context) error {
				var err error
				n, err = db.QueueDigests(ctx)
				return err
			})
			if err != nil {
				logger.Error("queue digests", "error", err.Error())
				return
			}
			if n > 0 {
				logger.Info("digests queued", "count", n)
				mailWake()
			}
		}); err != nil {
			return fmt.Errorf("schedule jobs: %w", err)
		}
	}
	if cfg.SMTP != "" {
		// A help-seeker whose answer is late hears so once, by a neutral mail.
		if _, err := jobs.AddFunc("@every 10m", func() {
			n, err := db.QueueDelayNotices(context.Background())
			if err != nil {
				logger.Error("queue delay notices", "error", err.Error())
				return
			}
			if n > 0 {
				logger.Info("delay notices queued", "count", n)
				mailWake()
			}
		}); err != nil {
			return fmt.Errorf("schedule jobs: %w", err)
		}
	}
	jobs.Start()
	defer jobs.Stop()

	go server.Run(bg)

	srv := &http.Server{
		Handler:           server,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    web.MaxHeaderBytes,
		ErrorLog:          log.New(scrubbedLog{logger}, "", 0),
	}
	var redirect *http.Server
	if redirectLn != nil {
		redirect = &http.Server{Handler: https.redirectHandler(baseURL), ReadHeaderTimeout: 10 * time.Second, ErrorLog: srv.ErrorLog}
		go func() {
			if err := redirect.Serve(redirectLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("redirect listener", "error", err.Error())
			}
		}()
	}

	var metricsSrv *http.Server
	if metricsLn != nil {
		metricsSrv = &http.Server{Handler: met.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: srv.ErrorLog}
		go func() {
			if err := metricsSrv.Serve(metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("metrics listener", "error", err.Error())
			}
		}()
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	// The office's own addresses are no personal data; client addresses
	// never reach the log.
	logger.Info("office open", "addr", listenAddr, "base_url", baseURL, "tls", https != nil, "mail", cfg.SMTP != "", "turn", relayAddr, "metrics", cfg.MetricsAddr)
	if https != nil && https.acme != nil {
		logger.Info("certificates from ACME", "directory", cfg.ACMEDirectory, "domains", strings.Join(cfg.ACMEDomains, ","))
		go watchCertificates(bg, cfg.ACMEDomains, https.acme.GetCertificate, clock, logger, certificateRecheck)
	}
	if m.Ready != nil {
		m.Ready <- baseURL
	}

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if redirect != nil {
		redirect.Shutdown(shutdownCtx)
	}
	if metricsSrv != nil {
		metricsSrv.Shutdown(shutdownCtx)
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := server.FlushVisits(shutdownCtx); err != nil {
		logger.Error("flush page views", "error", err.Error())
	}
	<-jobs.Stop().Done()
	return nil
}

// acmeBaseURL is the base URL of an office with ACME certificates and no
// --base-url: its first domain, with the port unless that is 443.
func acmeBaseURL(domain, listenAddr string) string {
	if _, port, err := net.SplitHostPort(listenAddr); err == nil && port != "443" {
		return "https://" + net.JoinHostPort(domain, port)
	}
	return "https://" + domain
}

// pushContact is the address push services may write to about the office's
// notifications when its base URL is no https URL to name it by: the sender
// address of its mails.
func pushContact(from string) string {
	if a, err := netmail.ParseAddress(from); err == nil {
		return a.Address
	}
	return "no-reply@localhost"
}

// redirectToHTTPS sends every plain-HTTP request to the HTTPS base URL.
func redirectToHTTPS(baseURL string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		// Only the path and query travel, so no request can make the
		// redirect lead to another host (a request-target such as
		// "http:.evil.example/" has no path and an opaque part instead).
		target := r.URL.EscapedPath()
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, baseURL+target, http.StatusMovedPermanently)
	})
}

// scrubbedLog takes net/http's own error lines, which name client addresses
// (for example "TLS handshake error from 203.0.113.5:4711"), and logs only that
// a connection failed.
type scrubbedLog struct{ logger *slog.Logger }

func (s scrubbedLog) Write(p []byte) (int, error) {
	kind := "connection error"
	if strings.Contains(string(p), "TLS handshake") {
		kind = "TLS handshake failed"
	}
	s.logger.Warn("http server", "event", kind)
	return len(p), nil
}
