package counselling

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
)

// PushSubscription is what a browser hands over when one device opts in to
// notifications: the push service's endpoint for that browser and the keys
// the Web Push standard asks for. A notification without content uses none of
// the keys, but push services expect a subscription to carry them. The whole
// subscription is personal (the endpoint names one device), so it is stored
// sealed.
type PushSubscription struct {
	Endpoint string `json:"endpoint"`
	P256dh   string `json:"p256dh"`
	Auth     string `json:"auth"`
}

// MaxEndpointLength bounds a push endpoint; the push services' own are well
// under 1,000 characters.
const MaxEndpointLength = 2048

var errBadSubscription = Errorf(EInvalid, "This browser's notification settings could not be used. Please try again, or use another browser.")

// Validate checks that a subscription could come from a browser: an https
// endpoint with a host and nothing else in its authority, a P-256 public key
// and a 16-byte secret.
func (s PushSubscription) Validate() error {
	if len(s.Endpoint) > MaxEndpointLength {
		return errBadSubscription
	}
	u, err := url.Parse(s.Endpoint)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || u.User != nil || u.Fragment != "" {
		return errBadSubscription
	}
	key, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s.P256dh, "="))
	if err != nil || len(key) != 65 || key[0] != 4 {
		return errBadSubscription
	}
	secret, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s.Auth, "="))
	if err != nil || len(secret) != 16 {
		return errBadSubscription
	}
	return nil
}

// MaxPushDevices is how many devices of one account may receive
// notifications; a device beyond that replaces the one that opted in first.
const MaxPushDevices = 10

// PushFor reports whether a notice of kind also goes to the account's devices.
// Only an answer waiting for a help-seeker does: that is the news a person
// without an email address otherwise never hears of.
func PushFor(kind NoticeKind) bool {
	return kind == NoticeReply
}

// PushTTL is how long a push service keeps a notification for a device that is
// offline, the same time the outbox keeps retrying.
const PushTTL = NoticeGiveUpAfter

// ErrPushGone says that a push service no longer knows a subscription (the
// browser or the person withdrew it): it is removed at once, not retried.
var ErrPushGone = errors.New("push subscription gone")
