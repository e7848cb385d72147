package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/live"

	"github.com/coder/websocket"
)

// dialPath opens one of the live sockets at path as a page of this office
// would.
func (b *browser) dialPath(path string) *socket {
	b.o.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(b.o.srv.URL, "http") + path
	conn, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: b.client,
		HTTPHeader: http.Header{"Origin": {b.o.srv.URL}, "Sec-Fetch-Site": {"same-origin"}}})
	if err != nil {
		b.o.t.Fatalf("dial %s: %v", path, err)
	}
	s := &socket{t: b.o.t, conn: conn}
	b.o.t.Cleanup(s.close)
	return s
}

func (s *socket) frame(typ string) live.Frame {
	s.t.Helper()
	return s.next(typ, func(f live.Frame) bool { return f.Type == typ })
}

var callbackRow = regexp.MustCompile(`action="/live/callbacks/([a-z2-7]{26})/call"`)

// inContactPair is a help-seeker whose enquiry a counsellor took.
func inContactPair(t *testing.T, o *office, nick, counsellor string) (*browser, *staffMember) {
	t.Helper()
	seeker := o.browser()
	seeker.register(nick, "a fine long password")
	c := o.enrol(counselling.RoleCounsellor, counsellor)
	id := seeker.write("family", "hello", "I would like to talk")
	c.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	return seeker, c
}

func TestCallbackRequestedRungAndAnswered(t *testing.T) {
	o := newOffice(t)
	seeker, c := inContactPair(t, o, "Calling Carla", "Maren Call")

	p := seeker.get("/live/callback")
	if p.status != http.StatusOK || !strings.Contains(p.body, `value="`+c.id+`"`) || !strings.Contains(p.body, "Maren Call") {
		t.Fatalf("call-back form does not offer the counsellor: %d\n%s", p.status, p.body)
	}
	seeker.mustPost("/live/callback", url.Values{"counsellor": {c.id}, "kind": {"chat"}}, "/live/callback?done=requested")
	if p := seeker.get("/live/callback?done=requested"); !strings.Contains(p.body, "Withdraw request") {
		t.Fatalf("the request is not listed for its help-seeker:\n%s", p.body)
	}
	q := c.get("/live/queue")
	m := callbackRow.FindStringSubmatch(q.body)
	if m == nil || !strings.Contains(q.body, "Calling Carla") {
		t.Fatalf("the call-back queue lacks the request:\n%s", q.body)
	}
	callbackID := m[1]

	// Offline: nobody is rung and the request waits.
	p = c.post("/live/callbacks/"+callbackID+"/call", nil)
	if p.status != http.StatusConflict || !strings.Contains(p.body, "not online now") || !callbackRow.MatchString(p.body) {
		t.Fatalf("calling back someone offline: %d\n%s", p.status, p.body)
	}

	ring := seeker.dialPath("/live/ring/ws")
	staffSide := c.dialPath("/live/reach/ws")
	c.mustPost("/live/callbacks/"+callbackID+"/call", nil, "/live/queue")
	f := ring.frame("ring")
	if f.Author != "Maren Call" || f.Status != "chat" || f.Body != "callback" || f.ID == "" {
		t.Fatalf("ring frame %+v", f)
	}
	if q := c.get("/live/queue"); !strings.Contains(q.body, "Ringing Calling Carla") {
		t.Fatalf("the counsellor's queue does not say it rings:\n%s", q.body)
	}
	// Someone else cannot answer the ring.
	other := o.browser()
	other.register("Other Olga", "a fine long password")
	if p := other.post("/live/rings/"+f.ID+"/accept", nil); p.status != http.StatusNotFound {
		t.Fatalf("someone else accepted the ring: %d", p.status)
	}

	p = seeker.post("/live/rings/"+f.ID+"/accept", nil)
	chat := chatLocation.FindStringSubmatch(p.header.Get("Location"))
	if p.status != http.StatusSeeOther || chat == nil {
		t.Fatalf("accept: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	answer := staffSide.frame("ring-answer")
	if answer.ID != chat[1] {
		t.Fatalf("the counsellor is sent to chat %q, want %q", answer.ID, chat[1])
	}
	// The chat runs between exactly those two: both write, nobody queued it.
	seekerChat, staffChat := seeker.dial(chat[1], 0), c.dial(chat[1], 0)
	seekerChat.say("s-1", "thank you for calling back")
	staffChat.message("thank you for calling back")
	staffChat.say("c-1", "I am here now")
	seekerChat.message("I am here now")
	if q := c.get("/live/queue"); callbackRow.MatchString(q.body) || strings.Contains(q.body, `/live/`+chat[1]+`/accept`) {
		t.Fatalf("the answered request or its chat is still queued:\n%s", q.body)
	}
	if p := other.get("/live/" + chat[1]); p.status != http.StatusNotFound {
		t.Fatalf("a third person opened the call-back chat: %d", p.status)
	}
	if p := seeker.post("/live/rings/"+f.ID+"/accept", nil); p.status != http.StatusNotFound {
		t.Fatalf("a ring accepted twice: %d", p.status)
	}
}

func TestDecliningARingSaysNotNowAndKeepsTheRequest(t *testing.T) {
	o := newOffice(t)
	seeker, c := inContactPair(t, o, "Busy Bea", "Maren Decline")
	seeker.mustPost("/live/callback", url.Values{"counsellor": {c.id}, "kind": {"chat"}, "window_from": {"10:30"}, "window_to": {"12:00"}}, "/live/callback?done=requested")
	callbackID := callbackRow.FindStringSubmatch(c.get("/live/queue").body)[1]
	ring := seeker.dialPath("/live/ring/ws")
	staffSide := c.dialPath("/live/reach/ws")
	c.mustPost("/live/callbacks/"+callbackID+"/call", nil, "/live/queue")
	f := ring.frame("ring")
	// A second page of the help-seeker's that opens while it rings rings too.
	again := seeker.dialPath("/live/ring/ws")
	if g := again.frame("ring"); g.ID != f.ID {
		t.Fatalf("a page opened while ringing got ring %q, want %q", g.ID, f.ID)
	}
	seeker.mustPost("/live/rings/"+f.ID+"/decline", nil, "/live/callback")
	again.frame("ring-end")
	staffSide.frame("ring-change")
	q := c.get("/live/queue")
	if !strings.Contains(q.body, "Busy Bea: not now.") || !strings.Contains(q.body, "today 10:30–12:00 (Europe/Berlin)") {
		t.Fatalf("the counsellor is not told \"not now\":\n%s", q.body)
	}
	if !callbackRow.MatchString(q.body) {
		t.Fatal("declining the ring removed the request")
	}
}

func TestCallbackRefusalsAreTranslatedAndChangeNothing(t *testing.T) {
	o := newOffice(t)
	if _, err := o.db.CreateOffice(context.Background(), "north", "North office"); err != nil {
		t.Fatal(err)
	}
	seeker, c := inContactPair(t, o, "Refused Rita", "Maren Refuse")
	north := o.enrolIn("north", counselling.RoleCounsellor, "North Nils")
	count := func() int { return o.db.Count(t, `SELECT count(*) FROM callbacks`) }

	p := seeker.post("/live/callback?lang=de", url.Values{"counsellor": {north.id}, "kind": {"chat"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "nur Berater*innen dieser Beratungsstelle") || count() != 0 {
		t.Fatalf("a call-back to another office's counsellor: %d, %d stored\n%s", p.status, count(), p.body)
	}
	seeker.mustPost("/live/callback", url.Values{"counsellor": {c.id}, "kind": {"chat"}}, "/live/callback?done=requested")
	p = seeker.post("/live/callback?lang=en", url.Values{"counsellor": {c.id}, "kind": {"chat"}})
	if p.status != http.StatusConflict || !strings.Contains(p.body, "already asked this counsellor") || count() != 1 {
		t.Fatalf("a second open request: %d, %d stored\n%s", p.status, count(), p.body)
	}
	p = seeker.post("/live/callback", url.Values{"counsellor": {c.id}, "kind": {"chat"}, "window_from": {"08:00"}, "window_to": {"09:00"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "time window later today") || count() != 1 {
		t.Fatalf("a window that is over: %d\n%s", p.status, p.body)
	}
}

// passTime moves the office's clock on by d in steps short enough that the
// browsers, each opening a page after every step, stay logged in.
func passTime(o *office, d time.Duration, browsers ...*browser) {
	o.t.Helper()
	for step := 10 * time.Minute; d > 0; d -= step {
		o.db.Clock.Advance(min(step, d))
		for _, b := range browsers {
			if p := b.get("/live"); p.status >= 400 {
				o.t.Fatalf("keeping a session: %d", p.status)
			}
		}
	}
}

func TestExpiredCallbackIsToldOnTheHelpSeekersPages(t *testing.T) {
	o := newOffice(t)
	adm := o.enrol(counselling.RoleAdmin, "Admin Expire")
	adm.mustPost("/admin/settings/callback", url.Values{"callback_expiry_hours": {"1"}}, "/admin/settings?done=callback")
	seeker, c := inContactPair(t, o, "Late Lena", "Maren Expire")
	seeker.mustPost("/live/callback", url.Values{"counsellor": {c.id}, "kind": {"chat"}}, "/live/callback?done=requested")
	callbackID := callbackRow.FindStringSubmatch(c.get("/live/queue").body)[1]
	if p := seeker.get("/threads"); strings.Contains(p.body, "has expired") {
		t.Fatal("an open request is told as expired")
	}
	passTime(o, time.Hour, seeker, c.browser)
	if p := seeker.get("/threads"); !strings.Contains(p.body, "A request of yours to be called back has expired.") {
		t.Fatalf("the help-seeker's pages do not tell of the expiry:\n%s", p.body)
	}
	if q := c.get("/live/queue"); callbackRow.MatchString(q.body) {
		t.Fatal("an expired request stays in the call-back queue")
	}
	if p := c.post("/live/callbacks/"+callbackID+"/call", nil); p.status != http.StatusConflict {
		t.Fatalf("calling back an expired request: %d", p.status)
	}
	p := seeker.get("/live/callback")
	if !strings.Contains(p.body, "without a call-back") {
		t.Fatalf("the call-back page does not show the expired request:\n%s", p.body)
	}
	seeker.mustPost("/live/callback/"+callbackID+"/remove", nil, "/live/callback?done=removed")
	if p := seeker.get("/threads"); strings.Contains(p.body, "has expired") {
		t.Fatal("a dismissed expiry is still told")
	}
}

// The consent to be contacted again gates everything a counsellor could
// learn about a person being online: the listing, and the answer to an
// invitation, which is the same whether the person is online or not.
func TestWithoutConsentNoCounsellorSeesThatSomeoneIsOnline(t *testing.T) {
	o := newOffice(t)
	seeker, c := inContactPair(t, o, "Private Pia", "Maren Outreach")
	var seekerID string
	for _, s := range mustAccounts(t, o, "Private Pia") {
		seekerID = s
	}
	invite := func() page {
		return c.post("/live/invite", url.Values{"seeker": {seekerID}, "kind": {"chat"}})
	}
	offline := invite()
	if offline.status != http.StatusForbidden || !strings.Contains(offline.body, "has not allowed counsellors to contact them") {
		t.Fatalf("inviting without consent, offline: %d\n%s", offline.status, offline.body)
	}
	ring := seeker.dialPath("/live/ring/ws")
	if q := c.get("/live/queue"); strings.Contains(q.body, "Private Pia") || strings.Contains(q.body, seekerID) {
		t.Fatalf("the queue names someone online without consent:\n%s", q.body)
	}
	online := invite()
	if online.status != offline.status || errorText(online.body) != errorText(offline.body) {
		t.Fatalf("the refusal differs when the person is online: %d %q vs %d %q", online.status, errorText(online.body),
			offline.status, errorText(offline.body))
	}

	seeker.mustPost("/account/contact", url.Values{"consent": {"1"}}, "/account?saved=contact")
	if p := seeker.get("/account"); !strings.Contains(p.body, "Withdraw my permission") || !strings.Contains(p.body, "(version 1)") {
		t.Fatalf("the account page does not show the consent:\n%s", p.body)
	}
	q := c.get("/live/queue")
	if !strings.Contains(q.body, "Private Pia") || !strings.Contains(q.body, `value="`+seekerID+`"`) {
		t.Fatalf("with consent and online, the person is not listed:\n%s", q.body)
	}
	c.mustPost("/live/invite", url.Values{"seeker": {seekerID}, "kind": {"chat"}}, "/live/queue")
	f := ring.frame("ring")
	if f.Body != "invite" || f.Author != "Maren Outreach" {
		t.Fatalf("invitation frame %+v", f)
	}
	p := seeker.post("/live/rings/"+f.ID+"/accept", nil)
	if p.status != http.StatusSeeOther || chatLocation.FindStringSubmatch(p.header.Get("Location")) == nil {
		t.Fatalf("accepting the invitation: %d %q", p.status, p.header.Get("Location"))
	}

	seeker.mustPost("/account/contact", url.Values{"consent": {"0"}}, "/account?saved=contact")
	if q := c.get("/live/queue"); strings.Contains(q.body, `value="`+seekerID+`"`) {
		t.Fatal("after withdrawal the person is still listed")
	}
	if p := invite(); p.status != http.StatusForbidden {
		t.Fatalf("inviting after withdrawal: %d", p.status)
	}
	ring.close()
	if p := invite(); p.status != http.StatusForbidden || errorText(p.body) != errorText(offline.body) {
		t.Fatalf("after withdrawal the refusal depends on being online: %d", p.status)
	}
}

// mustAccounts lists the ids of help-seekers with the nickname.
func mustAccounts(t *testing.T, o *office, nick string) []string {
	t.Helper()
	var ids []string
	rows, err := o.db.Raw(t).QueryContext(context.Background(), `SELECT id FROM accounts WHERE kind = 'seeker' AND guest = 0`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		a, err := o.db.Account(context.Background(), id)
		if err == nil && a.Nickname == nick {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("%d accounts named %q", len(ids), nick)
	}
	return ids
}

var noticeText = regexp.MustCompile(`<p class="notice" role="status">([^<]*)</p>`)

// errorText is the refusal a queue page shows.
func errorText(body string) string {
	m := noticeText.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestAdminSetsTheCallbackExpiry(t *testing.T) {
	o := newOffice(t)
	adm := o.enrol(counselling.RoleAdmin, "Admin Hours")
	p := adm.post("/admin/settings/callback", url.Values{"callback_expiry_hours": {"0"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "from 1 to 168") {
		t.Fatalf("0 hours: %d\n%s", p.status, p.body)
	}
	adm.mustPost("/admin/settings/callback", url.Values{"callback_expiry_hours": {"2"}}, "/admin/settings?done=callback")
	if p := adm.get("/admin/settings?done=callback"); !strings.Contains(p.body, `name="callback_expiry_hours" value="2"`) {
		t.Fatalf("the setting is not shown:\n%s", p.body)
	}
	seeker, c := inContactPair(t, o, "Two Hours", "Maren Two")
	seeker.mustPost("/live/callback", url.Values{"counsellor": {c.id}, "kind": {"chat"}}, "/live/callback?done=requested")
	passTime(o, 2*time.Hour-time.Minute, c.browser)
	if q := c.get("/live/queue"); !callbackRow.MatchString(q.body) {
		t.Fatal("the request expired before the office's 2 hours")
	}
	passTime(o, time.Minute, c.browser)
	if q := c.get("/live/queue"); callbackRow.MatchString(q.body) {
		t.Fatal("the request outlived the office's 2 hours")
	}
}

func TestVideoCallbackOpensTheChatWithTheCallOffered(t *testing.T) {
	withR, _ := withRelay(t)
	o := newOffice(t, withR)
	seeker, c := inContactPair(t, o, "Video Vera", "Maren Video")
	staffSide := c.dialPath("/live/reach/ws")
	seeker.mustPost("/live/callback", url.Values{"counsellor": {c.id}, "kind": {"video"}}, "/live/callback?done=requested")
	// The counsellor's queue page hears of the new request.
	staffSide.frame("ring-change")
	q := c.get("/live/queue")
	if !strings.Contains(q.body, "Video Vera") || !strings.Contains(q.body, "Video call") {
		t.Fatalf("the call-back queue does not show a video request:\n%s", q.body)
	}
	ring := seeker.dialPath("/live/ring/ws")
	c.mustPost("/live/callbacks/"+callbackRow.FindStringSubmatch(q.body)[1]+"/call", nil, "/live/queue")
	f := ring.frame("ring")
	if f.Status != "video" {
		t.Fatalf("ring frame %+v, want kind video", f)
	}
	p := seeker.post("/live/rings/"+f.ID+"/accept", nil)
	chat := chatLocation.FindStringSubmatch(p.header.Get("Location"))
	if chat == nil {
		t.Fatalf("accept: %d %q", p.status, p.header.Get("Location"))
	}
	if a := staffSide.frame("ring-answer"); a.ID != chat[1] || a.Status != "video" {
		t.Fatalf("the counsellor's page is sent %+v, want chat %s with its call", a, chat[1])
	}
	if q := c.get("/live/queue"); !strings.Contains(q.body, `href="/live/`+chat[1]+`?call=video"`) {
		t.Fatalf("without JavaScript the queue does not link the chat with its call:\n%s", q.body)
	}
	if p := c.get("/live/" + chat[1] + "?call=video"); p.status != http.StatusOK || !strings.Contains(p.body, "Start video call") {
		t.Fatalf("the counsellor's chat page: %d", p.status)
	}
}
