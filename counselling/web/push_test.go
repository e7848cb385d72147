package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"confidant/counselling"
	"confidant/counselling/mail"
	"confidant/counselling/push"
	"confidant/counselling/web"
)

// Subscription keys as a browser hands them over.
const (
	testP256dh = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
	testAuth   = "tBHItJI5svbpez7KI4CCXg"
)

// localPushService stands in for a browser maker's push service, on
// 127.0.0.1. It records each delivery's body and answers with status.
type localPushService struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	status int
}

func startLocalPushService(t *testing.T) *localPushService {
	p := &localPushService{status: http.StatusCreated}
	p.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		defer p.mu.Unlock()
		if strings.HasPrefix(r.Header.Get("Authorization"), "vapid t=") {
			p.bodies = append(p.bodies, body)
		}
		w.WriteHeader(p.status)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *localPushService) deliveries() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]byte(nil), p.bodies...)
}

func (p *localPushService) answer(status int) {
	p.mu.Lock()
	p.status = status
	p.mu.Unlock()
}

// pushOffice is an office that offers device notifications and sends no
// mail, with an outbox worker that pushes to svc.
func pushOffice(t *testing.T, svc *localPushService) (*office, *mail.Worker) {
	keys, err := push.LoadOrCreateKeys(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	o := newOffice(t, func(c *web.Config) { c.PushKey = keys.Public })
	w := mail.NewWorker(o.db, nil, o.srv.URL, translate, slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.SetPusher(push.NewSender(keys, "https://office.example", "", svc.Client()))
	return o, w
}

func subscription(endpoint string) url.Values {
	return url.Values{"endpoint": {endpoint}, "p256dh": {testP256dh}, "auth": {testAuth}}
}

func (o *office) subscriptions() int {
	return o.db.Count(o.t, `SELECT count(*) FROM push_subscriptions`)
}

// TestPushWithoutContentThroughTheOutbox: a help-seeker without an email
// address reads what notifications reveal, opts in on a device, and hears of
// the counsellor's answer by a push with an empty body, sent through the
// outbox by an office that sends no mail. When the push service says the
// subscription is gone, it is removed at once.
func TestPushWithoutContentThroughTheOutbox(t *testing.T) {
	svc := startLocalPushService(t)
	o, w := pushOffice(t, svc)
	seeker := o.browser()
	seeker.register("Lantern Keeper", "a lantern in the window")

	page := seeker.get("/account")
	for _, want := range []string{"Notifications on this device", "learns that a message went to this device, but not what it says or who sent it",
		`data-title="Something new is waiting"`, "Turn on notifications on this device", `action="/account/push"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the account page lacks %q before opting in", want)
		}
	}
	if strings.Contains(page.body, "Turn off notifications on all devices") {
		t.Error("the page offers to turn off notifications nobody turned on")
	}

	endpoint := svc.URL + "/wpush/lantern-device"
	seeker.mustPost("/account/push", subscription(endpoint), "/account?saved=push-on")
	page = seeker.get("/account?saved=push-on")
	for _, want := range []string{"Notifications are on for this device.", "Notifications are on for one of your devices.", "Turn off notifications on all devices"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("after opting in the account page lacks %q", want)
		}
	}
	// Opting in again from the same device keeps one subscription.
	seeker.mustPost("/account/push", subscription(endpoint), "/account?saved=push-on")
	if n := o.subscriptions(); n != 1 {
		t.Fatalf("%d subscriptions after the same device opted in twice, want 1", n)
	}
	assertNoColumnHolds(t, o.db, []byte("lantern-device"))

	id := seeker.write("loneliness", "Evenings", "The evenings are the hardest.")
	if sent, _ := w.RunOnce(context.Background()); sent != 0 || len(svc.deliveries()) != 0 {
		t.Fatal("a push went out for the help-seeker's own message")
	}
	counsellor := o.enrol(counselling.RoleCounsellor, "Ines")
	counsellor.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	counsellor.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"Evenings can be long. What helps you a little?"}}, "/inbox/"+id)
	if sent, failed := w.RunOnce(context.Background()); sent != 1 || failed != 0 {
		t.Fatalf("sent %d, failed %d, want the answer's push sent", sent, failed)
	}
	got := svc.deliveries()
	if len(got) != 1 || len(got[0]) != 0 {
		t.Fatalf("deliveries %q: want one push with an empty body", got)
	}
	if sent, _ := w.RunOnce(context.Background()); sent != 0 {
		t.Fatal("the push went out twice")
	}

	// The browser withdrew the subscription: the push service answers 410
	// and the office forgets the device at once.
	svc.answer(http.StatusGone)
	counsellor.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"I am still here."}}, "/inbox/"+id)
	if sent, failed := w.RunOnce(context.Background()); sent != 0 || failed != 0 {
		t.Fatalf("sent %d, failed %d: a gone subscription is neither", sent, failed)
	}
	if n := o.subscriptions(); n != 0 {
		t.Fatalf("%d subscriptions after the push service said 410, want 0", n)
	}
	if n := o.db.Count(t, `SELECT count(*) FROM outbox WHERE kind = 'push' AND sent_at IS NULL`); n != 0 {
		t.Errorf("%d pushes still wait for a gone device", n)
	}
	if page := seeker.get("/account"); strings.Contains(page.body, "of your devices") {
		t.Error("the account page still counts the gone device")
	}
}

func TestPushRetriedLikeMail(t *testing.T) {
	svc := startLocalPushService(t)
	o, w := pushOffice(t, svc)
	seeker := o.browser()
	seeker.register("Patient Heron", "standing in the shallows")
	seeker.mustPost("/account/push", subscription(svc.URL+"/heron"), "/account")
	id := seeker.write("family", "Home", "Home is loud.")
	counsellor := o.enrol(counselling.RoleCounsellor, "Jonas")
	counsellor.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)

	svc.answer(http.StatusServiceUnavailable)
	counsellor.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"I hear you."}}, "/inbox/"+id)
	if sent, failed := w.RunOnce(context.Background()); sent != 0 || failed != 1 {
		t.Fatalf("sent %d, failed %d, want one failure", sent, failed)
	}
	if n := o.subscriptions(); n != 1 {
		t.Fatal("a push service that is down cost the device its subscription")
	}
	svc.answer(http.StatusCreated)
	o.db.Clock.Advance(counselling.NoticeBackoff(1))
	if sent, failed := w.RunOnce(context.Background()); sent != 1 || failed != 0 {
		t.Fatalf("retry: sent %d, failed %d, want the push sent", sent, failed)
	}
}

// TestOptingOutRemovesSubscriptions: turning notifications off on this
// device or on all devices, changing the password (which logs out every other
// device) and deleting the account each remove the subscriptions.
func TestOptingOutRemovesSubscriptions(t *testing.T) {
	svc := startLocalPushService(t)
	o, _ := pushOffice(t, svc)
	seeker := o.browser()
	seeker.register("Quiet Otter", "swimming upstream slowly")
	optIn := func(devices ...string) {
		t.Helper()
		for _, d := range devices {
			seeker.mustPost("/account/push", subscription(svc.URL+"/"+d), "/account")
		}
		if n := o.subscriptions(); n != len(devices) {
			t.Fatalf("%d subscriptions, want %d", n, len(devices))
		}
	}

	optIn("phone", "laptop")
	seeker.mustPost("/account/push/off", url.Values{"endpoint": {svc.URL + "/phone"}}, "/account?saved=push-off")
	if n := o.subscriptions(); n != 1 {
		t.Fatalf("%d subscriptions after turning off one device, want 1", n)
	}
	if !strings.Contains(seeker.get("/account?saved=push-off").body, "Notifications are off for this device.") {
		t.Error("no confirmation after turning off this device")
	}

	optIn("phone", "laptop")
	seeker.mustPost("/account/push/off-all", nil, "/account?saved=push-off-all")
	if n := o.subscriptions(); n != 0 {
		t.Fatalf("%d subscriptions after turning off all devices", n)
	}

	optIn("phone", "laptop")
	seeker.mustPost("/account/password", url.Values{"current_password": {"swimming upstream slowly"}, "new_password": {"swimming downstream now"}}, "/account")
	if n := o.subscriptions(); n != 0 {
		t.Fatalf("%d subscriptions after the password change logged out everywhere", n)
	}

	// The export lists the devices that receive notifications.
	optIn("phone")
	if export := seeker.get("/account/export"); !strings.Contains(export.body, `"push_endpoint": "`+svc.URL+`/phone"`) {
		t.Errorf("the export does not list the device that receives notifications:\n%s", export.body)
	}

	// Someone else's endpoint turns nothing off.
	other := o.browser()
	other.register("Other Person", "another long password")
	other.mustPost("/account/push/off", url.Values{"endpoint": {svc.URL + "/phone"}}, "/account")
	if n := o.subscriptions(); n != 1 {
		t.Fatal("another account turned off this device's notifications")
	}

	seeker.mustPost("/account/delete", url.Values{"password": {"swimming downstream now"}}, "/")
	if n := o.subscriptions(); n != 0 {
		t.Fatalf("%d subscriptions after the account was deleted", n)
	}
}

// TestRecoveryTurnsNotificationsOff: choosing a new password with the
// recovery code logs out everywhere, and so turns off every device's
// notifications: whoever else had the account may have opted in their own.
func TestRecoveryTurnsNotificationsOff(t *testing.T) {
	svc := startLocalPushService(t)
	o, _ := pushOffice(t, svc)
	seeker := o.browser()
	code := seeker.registerWithCode(registration("Drifting Kite", "a kite above the dunes"))
	seeker.mustPost("/account/push", subscription(svc.URL+"/kite"), "/account")
	o.browser().mustPost("/recover", recovery("Drifting Kite", code, "the kite came down softly"), "/threads")
	if n := o.subscriptions(); n != 0 {
		t.Fatalf("%d subscriptions after a recovery logged out everywhere", n)
	}
}

func TestBadSubscriptionChangesNothing(t *testing.T) {
	svc := startLocalPushService(t)
	o, _ := pushOffice(t, svc)
	seeker := o.browser()
	seeker.register("Careful Finch", "a careful long password")
	for _, form := range []url.Values{
		subscription("http://push.example.net/plain"),
		subscription("https://user:secret@push.example.net/x"),
		{"endpoint": {"https://push.example.net/x"}, "p256dh": {"short"}, "auth": {testAuth}},
		{},
	} {
		p := seeker.post("/account/push", form)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "notification settings could not be used") {
			t.Errorf("subscription %v: %d, want 422 with an explanation", form, p.status)
		}
	}
	if n := o.subscriptions(); n != 0 {
		t.Fatalf("%d subscriptions stored from bad input", n)
	}
}

// TestServiceWorker: the worker is served from the root, so that its scope
// may be the whole office, and may load and fetch nothing.
func TestServiceWorker(t *testing.T) {
	o := newOffice(t)
	p := o.browser().get("/push-worker.js")
	if p.status != http.StatusOK || !strings.HasPrefix(p.header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("service worker: %d %s", p.status, p.header.Get("Content-Type"))
	}
	if csp := p.header.Get("Content-Security-Policy"); csp != "default-src 'none'" {
		t.Errorf("the service worker's policy is %q: it must fetch nothing", csp)
	}
	if !strings.Contains(p.body, "showNotification") || strings.Contains(p.body, "fetch(") || strings.Contains(p.body, `addEventListener("fetch"`) {
		t.Error("the service worker must show a notification and fetch nothing")
	}
	if p.header.Get("Service-Worker-Allowed") != "" {
		t.Error("the worker widens its scope beyond its own path")
	}
}

// TestNoPushWithoutKey: an office that has no VAPID key offers nothing.
func TestNoPushWithoutKey(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Keyless Wren", "a wren without keys")
	if strings.Contains(seeker.get("/account").body, "Notifications on this device") {
		t.Error("the account page offers notifications the office cannot send")
	}
	if p := seeker.post("/account/push", subscription("https://push.example.net/x")); p.status != http.StatusNotFound {
		t.Errorf("opting in without a key: %d, want 404", p.status)
	}
}
