// Package mail delivers notification mails from the outbox over SMTP. A mail says
// only that something is waiting; the address is decrypted just before sending
// and forgotten by the outbox once the mail is out. Failed deliveries are retried
// with growing pauses for seven days, so nothing is lost while the mail server
// is down.
package mail

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"confidant/counselling"

	gomail "github.com/wneessen/go-mail"
)

// Sender sends one mail over SMTP.
type Sender struct {
	host        string
	port        int
	user, pass  string
	implicitTLS bool
	from        string
	// domain names the office on the right of every Message-ID, so that no
	// header gives away the name of the machine the office runs on.
	domain string
}

// ParseURL reads smtp://[user:pass@]host:port (STARTTLS when offered, and
// required when credentials go to a host that is not loopback) or
// smtps://[user:pass@]host:port (implicit TLS).
func ParseURL(raw, from string) (*Sender, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("smtp url: %w", err)
	}
	s := &Sender{host: u.Hostname(), from: from, domain: "localhost"}
	switch u.Scheme {
	case "smtp":
		s.port = 587
	case "smtps":
		s.port, s.implicitTLS = 465, true
	default:
		return nil, fmt.Errorf("smtp url must start with smtp:// or smtps://")
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("smtp url: bad port")
		}
	}
	if s.host == "" {
		return nil, fmt.Errorf("smtp url has no host")
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	return s, nil
}

// SetOfficeURL makes Message-IDs name the office's own domain, the host of its
// base URL.
func (s *Sender) SetOfficeURL(baseURL string) error {
	u, err := url.Parse(baseURL)
	if err != nil || u.Hostname() == "" {
		return fmt.Errorf("base url has no host")
	}
	s.domain = u.Hostname()
	if strings.Contains(s.domain, ":") {
		s.domain = "[" + s.domain + "]" // an IPv6 address is a domain literal
	}
	return nil
}

// messageID is a fresh random Message-ID in the office's domain.
func (s *Sender) messageID() string {
	return rand.Text() + "@" + s.domain
}

func (s *Sender) loopback() bool {
	if s.host == "localhost" {
		return true
	}
	ip := net.ParseIP(s.host)
	return ip != nil && ip.IsLoopback()
}

// Send delivers one plain-text mail.
func (s *Sender) Send(ctx context.Context, to, subject, body string) error {
	// The library would name itself and its version in User-Agent and
	// X-Mailer; a notification says no more about the office than it must.
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	m.SetMessageIDWithValue(s.messageID())
	// Auto-Submitted keeps out-of-office replies from being sent back to an
	// address nobody reads (RFC 3834).
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	if err := m.From(s.from); err != nil {
		return fmt.Errorf("sender address: %w", err)
	}
	if err := m.To(to); err != nil {
		return errBadAddress
	}
	m.Subject(subject)
	m.SetBodyString(gomail.TypeTextPlain, body)
	opts := []gomail.Option{gomail.WithPort(s.port), gomail.WithTimeout(20 * time.Second), gomail.WithHELO("localhost")}
	switch {
	case s.implicitTLS:
		opts = append(opts, gomail.WithSSL())
	case s.user != "" && !s.loopback():
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(s.user), gomail.WithPassword(s.pass))
	}
	c, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	return c.DialAndSendWithContext(ctx, m)
}

var (
	errBadAddress = errors.New("recipient address refused")
	errNoPusher   = errors.New("device notifications are off")
)

// SendInvite mails a new staff member their one-time invite link, written in
// lang (the language of the admin who invites them) like every other mail.
func (s *Sender) SendInvite(ctx context.Context, translate Translator, lang, to, link string) error {
	subject, body := counselling.InviteText()
	data := map[string]any{"Hours": int(counselling.InviteTTL.Hours()), "Link": link}
	return s.Send(ctx, to, translate(lang, subject, data), translate(lang, body, data))
}

// Store is the outbox.
type Store interface {
	DueNotices(ctx context.Context, limit int, mails bool) ([]counselling.Outgoing, error)
	PushGone(ctx context.Context, subscriptionID int64) error
	NoticeSent(ctx context.Context, id int64) error
	NoticeFailed(ctx context.Context, n counselling.Outgoing, reason string) (bool, error)
	Office(ctx context.Context, id int64) (*counselling.Office, error)
}

// Pusher sends a notification without content to one device; a subscription
// its push service no longer knows is counselling.ErrPushGone.
type Pusher interface {
	Push(ctx context.Context, sub counselling.PushSubscription) error
}

// Worker drains the outbox: mails, and notifications to devices, which are
// retried alike.
type Worker struct {
	store     Store
	translate Translator
	sender    *Sender
	pusher    Pusher
	// forms, when set, writes a mail in the form of its language the
	// recipient reads (formal German, easy language).
	forms    FormTranslator
	loginURL string
	baseURL  string
	log      *slog.Logger
	wake     chan struct{}
}

// Translator renders a message id in a language with data in its placeholders.
type Translator func(lang, id string, data map[string]any) string

// NewWorker returns a worker that links mails to baseURL's login page and
// writes them in each recipient's language. sender nil sends no mail: the
// mails stay in the outbox, and only notifications to devices go out.
func NewWorker(store Store, sender *Sender, baseURL string, translate Translator, log *slog.Logger) *Worker {
	return &Worker{store: store, translate: translate, sender: sender, loginURL: baseURL + "/login", baseURL: baseURL, log: log, wake: make(chan struct{}, 1)}
}

// FormTranslator renders a message id in a form of a language.
type FormTranslator func(lang string, r counselling.Register, id string, data map[string]any) string

// SetForms makes the worker write each mail in the form of the language its
// recipient reads: "Sie" where their office chose it for German, easy
// language where they chose it.
func (w *Worker) SetForms(f FormTranslator) { w.forms = f }

// SetPusher lets the worker send notifications to devices.
func (w *Worker) SetPusher(p Pusher) { w.pusher = p }

// Wake asks the worker to look at the outbox now rather than at its next tick.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run sends due notifications until ctx ends.
func (w *Worker) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		w.RunOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

// RunOnce sends what is due now and reports how many went out and failed. It
// logs counts and error classes only: never an address.
func (w *Worker) RunOnce(ctx context.Context) (sent, failed int) {
	for {
		due, err := w.store.DueNotices(ctx, 20, w.sender != nil)
		if err != nil {
			w.log.Error("outbox", "error", err.Error())
			return sent, failed
		}
		if len(due) == 0 {
			break
		}
		batchFailed := 0
		for _, n := range due {
			err := w.send(ctx, n)
			if errors.Is(err, counselling.ErrPushGone) {
				// The device withdrew its subscription: it goes at once,
				// with anything else still waiting for it.
				if err := w.store.PushGone(ctx, n.SubscriptionID); err != nil {
					w.log.Error("outbox", "error", err.Error())
					return sent, failed
				}
				w.log.Info("outbox", "event", "push subscription gone, removed")
				continue
			}
			if err != nil {
				failed++
				batchFailed++
				gaveUp, ferr := w.store.NoticeFailed(ctx, n, classify(err))
				if ferr != nil {
					w.log.Error("outbox", "error", ferr.Error())
				}
				if gaveUp {
					w.log.Warn("outbox", "event", "notification given up after seven days", "kind", string(n.Kind))
				}
				continue
			}
			if err := w.store.NoticeSent(ctx, n.ID); err != nil {
				w.log.Error("outbox", "error", err.Error())
				return sent, failed
			}
			sent++
		}
		if batchFailed > 0 {
			break // the server is likely down; the rest waits for its next attempt
		}
	}
	if sent+failed > 0 {
		w.log.Info("outbox", "sent", sent, "failed", failed)
	}
	return sent, failed
}

func (w *Worker) send(ctx context.Context, n counselling.Outgoing) error {
	if n.Kind == counselling.NoticePush {
		if w.pusher == nil || n.Push == nil {
			return errNoPusher
		}
		return w.pusher.Push(ctx, *n.Push)
	}
	office, err := w.store.Office(ctx, n.OfficeID)
	if err != nil {
		return err
	}
	subject, body := counselling.NoticeText(n.Kind)
	tr := func(id string, data map[string]any) string {
		if w.forms != nil {
			return w.forms(n.Lang, n.Register, id, data)
		}
		return w.translate(n.Lang, id, data)
	}
	within, withinData := office.Promise.Phrase()
	data := map[string]any{"AnswerTime": tr(within, withinData), "LoginURL": w.loginURL}
	if n.Link != "" {
		data["Link"] = w.baseURL + "/recover/" + n.Link
	}
	return w.sender.Send(ctx, n.Recipient, tr(subject, data), tr(body, data))
}

// classify names an error for the outbox row and the log without repeating
// the server's words, which may quote the address.
func classify(err error) string {
	var netErr net.Error
	var sendErr *gomail.SendError
	switch {
	case errors.Is(err, errBadAddress):
		return "address refused"
	case errors.Is(err, errNoPusher):
		return "push off"
	case pushClass(err) != "":
		return pushClass(err)
	case errors.As(err, &sendErr):
		return "smtp: " + sendErr.Reason.String()
	case errors.As(err, &netErr):
		return "mail server not reachable"
	}
	return "send failed"
}

// pushClass names a push error, which the push package words without the
// endpoint; other errors give "".
func pushClass(err error) string {
	if msg := err.Error(); strings.HasPrefix(msg, "push ") {
		return msg
	}
	return ""
}
