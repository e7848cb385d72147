// Package push sends device notifications without content over Web Push. A
// notification carries no payload at all: the push service learns that a
// message went to a device, never what or from whom, and the device shows a
// fixed "something new is waiting". The maintained webpush-go library signs
// each request with the office's VAPID key; the padded ciphertext it would
// send is replaced by an empty body, as there is nothing to encrypt.
package push

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"confidant/counselling"

	webpush "github.com/SherClockHolmes/webpush-go"
)

// Sender delivers notifications to push services.
type Sender struct {
	keys       Keys
	subscriber string
	client     *http.Client
}

// NewSender signs notifications with keys, naming the office by its base URL
// (an https URL) or otherwise by contact, as the VAPID "sub" claim. client
// nil means a client that reaches public addresses only.
func NewSender(keys Keys, baseURL, contact string, client *http.Client) *Sender {
	subscriber := contact
	if strings.HasPrefix(baseURL, "https://") {
		subscriber = baseURL
	}
	if client == nil {
		client = publicClient()
	}
	return &Sender{keys: keys, subscriber: subscriber, client: client}
}

// topic makes a push service keep only the newest of several notifications
// waiting for an offline device: they all say the same.
const topic = "new"

// Push sends one notification without content to a device. A subscription
// the push service no longer knows (404 or 410) is counselling.ErrPushGone.
// Errors name the failure's class only, never the endpoint.
func (s *Sender) Push(ctx context.Context, sub counselling.PushSubscription) error {
	resp, err := webpush.SendNotificationWithContext(ctx, nil, &webpush.Subscription{
		Endpoint: sub.Endpoint,
		Keys:     webpush.Keys{P256dh: sub.P256dh, Auth: sub.Auth},
	}, &webpush.Options{
		HTTPClient:      withoutPayload{s.client},
		Subscriber:      s.subscriber,
		TTL:             int(counselling.PushTTL.Seconds()),
		Topic:           topic,
		Urgency:         webpush.UrgencyNormal,
		VAPIDPublicKey:  s.keys.Public,
		VAPIDPrivateKey: s.keys.Private,
	})
	if err != nil {
		var netErr net.Error
		if errors.As(err, &netErr) || errors.Is(err, errNotPublic) {
			return errUnreachable
		}
		return errSendFailed
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return counselling.ErrPushGone
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	}
	return fmt.Errorf("push service answered %d", resp.StatusCode)
}

var (
	errUnreachable = errors.New("push service not reachable")
	errSendFailed  = errors.New("push failed")
)

// withoutPayload sends the library's signed request with an empty body: the
// notification has no content, so nothing is encrypted and nothing sent.
type withoutPayload struct{ client *http.Client }

func (w withoutPayload) Do(r *http.Request) (*http.Response, error) {
	r.Body, r.GetBody, r.ContentLength = http.NoBody, nil, 0
	r.Header.Del("Content-Encoding")
	r.Header.Del("Content-Type")
	return w.client.Do(r)
}

var errNotPublic = errors.New("push endpoint is not a public address")

// Public reports whether a push may be sent to addr. The endpoint comes
// from a browser, so from anyone with an account: without this rule it could
// make the office send requests into its own network.
func Public(addr netip.Addr) bool {
	addr = addr.Unmap()
	switch {
	case !addr.IsValid(), addr.IsLoopback(), addr.IsPrivate(), addr.IsUnspecified(),
		addr.IsLinkLocalUnicast(), addr.IsLinkLocalMulticast(), addr.IsInterfaceLocalMulticast(), addr.IsMulticast():
		return false
	}
	for _, p := range reserved {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// reserved are further ranges no push service lives in: shared address space
// (carrier-grade NAT), "this network", benchmarking, documentation and the
// reserved class E.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// publicClient reaches public addresses only, checked on the address each
// connection is actually made to (after DNS), uses no proxy from the
// environment and follows no redirect.
func publicClient() *http.Client {
	dialer := &net.Dialer{
		Timeout: 10 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !Public(ap.Addr()) {
				return errNotPublic
			}
			return nil
		},
	}
	return &http.Client{
		Timeout: 20 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         dialer.DialContext,
			TLSHandshakeTimeout: 10 * time.Second,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     90 * time.Second,
			ForceAttemptHTTP2:   true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
