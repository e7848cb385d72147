package web_test

import (
	"bytes"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/twofactor"
)

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)"`)

// hiddenFields are the hidden fields of a page's forms, as a browser would
// send them back.
func hiddenFields(body string) url.Values {
	v := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(body, -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// expiredAndCarried sends a text form after the session has expired, checks
// that the login page carries the text and that nothing was stored or put in
// a URL, and returns the login page's hidden fields.
func expiredAndCarried(t *testing.T, o *office, b *browser, path string, form url.Values, text string) url.Values {
	t.Helper()
	p := b.post(path, form)
	if p.status != http.StatusOK || p.header.Get("Location") != "" || !strings.Contains(p.body, `action="/login"`) ||
		!strings.Contains(p.body, "You were logged out because nothing happened") {
		t.Fatalf("POST %s without a session: %d %q, want the login page\n%s", path, p.status, p.header.Get("Location"), p.body)
	}
	carried := hiddenFields(p.body)
	if carried.Get("return_to") != path || carried.Get("body") != text {
		t.Fatalf("the login page carries %v, want the text and %s", carried, path)
	}
	for where, content := range o.db.Stored(t) {
		if bytes.Contains(content, []byte(text)) {
			t.Fatalf("the carried text is in %s", where)
		}
	}
	return carried
}

func withLogin(carried url.Values, fields ...string) url.Values {
	v := url.Values{}
	for k, vs := range carried {
		v[k] = vs
	}
	for i := 0; i+1 < len(fields); i += 2 {
		v.Set(fields[i], fields[i+1])
	}
	return v
}

// textareaHolds reports whether the page's textarea with id holds text.
func textareaHolds(body, id, text string) bool {
	return regexp.MustCompile(`<textarea[^>]* id="`+id+`"[^>]*>`+regexp.QuoteMeta(html.EscapeString(text))+`</textarea>`).MatchString(body) ||
		regexp.MustCompile(`<textarea id="`+id+`"[^>]*>`+regexp.QuoteMeta(html.EscapeString(text))+`</textarea>`).MatchString(body)
}

func TestTextSentAfterTheSessionEndedComesBackAfterLogin(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Slow Writer", "writing takes its time")
	id := seeker.write("family", "First words", "the first message")
	login := func(carried url.Values) page {
		t.Helper()
		return seeker.post("/login", withLogin(carried, "nickname", "Slow Writer", "password", "writing takes its time"))
	}
	count := func() int { return o.db.Count(t, `SELECT count(*) FROM messages`) }

	t.Run("new enquiry", func(t *testing.T) {
		o.db.Clock.Advance(31 * time.Minute)
		text := "Three hours of writing: <all> of it & \"more\".\nSecond line."
		carried := expiredAndCarried(t, o, seeker, "/threads/new", url.Values{"theme": {"anxiety"}, "subject": {"Long night"}, "body": {text}}, text)
		if carried.Get("theme") != "anxiety" || carried.Get("subject") != "Long night" {
			t.Fatalf("theme and subject are not carried: %v", carried)
		}
		// A wrong password keeps carrying the text.
		wrong := seeker.post("/login", withLogin(carried, "nickname", "Slow Writer", "password", "not the password"))
		if wrong.status != http.StatusUnauthorized || hiddenFields(wrong.body).Get("body") != text {
			t.Fatalf("a wrong password dropped the text: %d", wrong.status)
		}
		before := count()
		p := login(hiddenFields(wrong.body))
		if p.status != http.StatusOK || !textareaHolds(p.body, "body", text) || !strings.Contains(p.body, `value="Long night"`) ||
			!strings.Contains(p.body, `<option value="anxiety" selected>`) || !strings.Contains(p.body, `id="restored-notice"`) {
			t.Fatalf("after the login the enquiry form is not filled in: %d\n%s", p.status, p.body)
		}
		if count() != before {
			t.Fatal("the carried enquiry was sent without the person sending it")
		}
		if seeker.cookie() == nil || seeker.get("/threads").status != http.StatusOK {
			t.Fatal("the person is not logged in after the login that restored the form")
		}
	})

	t.Run("reply", func(t *testing.T) {
		o.db.Clock.Advance(31 * time.Minute)
		text := "A reply written slowly, over half an hour."
		carried := expiredAndCarried(t, o, seeker, "/threads/"+id+"/reply", url.Values{"body": {text}}, text)
		before := count()
		p := login(carried)
		if p.status != http.StatusOK || !textareaHolds(p.body, "body", text) || !strings.Contains(p.body, `action="/threads/`+id+`/reply"`) {
			t.Fatalf("after the login the reply form is not filled in: %d\n%s", p.status, p.body)
		}
		if count() != before {
			t.Fatal("the carried reply was sent without the person sending it")
		}
		seeker.mustPost("/threads/"+id+"/reply", url.Values{"body": {text}}, "/threads/"+id)
	})

	c := o.enrol(counselling.RoleCounsellor, "Patient Counsellor")
	c.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	staffLogin := func(t *testing.T, carried url.Values) page {
		t.Helper()
		p := c.post("/login", withLogin(carried, "nickname", "Patient Counsellor", "password", "staff password Patient Counsellor"))
		if p.status != http.StatusOK || !strings.Contains(p.body, `action="/login/totp"`) || hiddenFields(p.body).Get("body") != carried.Get("body") {
			t.Fatalf("the password step does not carry the text on to the code: %d %q", p.status, p.header.Get("Location"))
		}
		wrong := c.post("/login/totp", withLogin(hiddenFields(p.body), "code", "000000"))
		if wrong.status != http.StatusUnauthorized || hiddenFields(wrong.body).Get("body") != carried.Get("body") {
			t.Fatalf("a wrong code dropped the text: %d", wrong.status)
		}
		code, _ := twofactor.Code(c.secret, o.db.Clock.Now())
		return c.post("/login/totp", withLogin(hiddenFields(wrong.body), "code", code))
	}
	for _, tc := range []struct{ form, textarea string }{{"reply", "body"}, {"note", "note-body"}} {
		t.Run("staff "+tc.form, func(t *testing.T) {
			o.db.Clock.Advance(16 * time.Minute)
			text := "The counsellor's " + tc.form + ", written with care for twenty minutes."
			carried := expiredAndCarried(t, o, c.browser, "/inbox/"+id+"/"+tc.form, url.Values{"body": {text}, "action": {"send"}}, text)
			before := count() + o.db.Count(t, `SELECT count(*) FROM notes`)
			p := staffLogin(t, carried)
			if p.status != http.StatusOK || !textareaHolds(p.body, tc.textarea, text) || !strings.Contains(p.body, `id="restored-notice"`) {
				t.Fatalf("after the login the %s form is not filled in: %d\n%s", tc.form, p.status, p.body)
			}
			if n := count() + o.db.Count(t, `SELECT count(*) FROM notes`); n != before {
				t.Fatalf("the carried %s was stored without the counsellor sending it", tc.form)
			}
			c.mustPost("/inbox/"+id+"/"+tc.form, url.Values{"body": {text}}, "/inbox/"+id)
		})
	}
}

func TestCarriedTextGoesOnlyToFormsOfTheRightKind(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Kind Checker", "kinds are kept apart")
	// A login form that names a staff form (or any other path) for a
	// help-seeker logs them in as usual.
	for _, to := range []string{"/inbox/aaaaaaaaaaaaaaaaaaaaaaaaaa/reply", "/admin/staff", "https://example.org/threads/new"} {
		b := o.browser()
		p := b.post("/login", url.Values{"nickname": {"Kind Checker"}, "password": {"kinds are kept apart"}, "return_to": {to}, "body": {"x"}})
		if p.status != http.StatusSeeOther || p.header.Get("Location") != "/threads" {
			t.Errorf("return_to %q: %d %q, want the usual login", to, p.status, p.header.Get("Location"))
		}
	}
	// Forms without text still send the anonymous visitor to the login page.
	if p := o.browser().post("/account", url.Values{"email": {""}}); p.status != http.StatusSeeOther || p.header.Get("Location") != "/login" {
		t.Errorf("POST /account without a session: %d %q", p.status, p.header.Get("Location"))
	}
}

func TestStillHereExtendsTheSession(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Still Here", "still here and writing")
	p := seeker.get("/threads/new")
	if !strings.Contains(p.body, `id="session-warning"`) || !strings.Contains(p.body, `data-idle="1800"`) || !strings.Contains(p.body, `data-warn="300"`) ||
		!strings.Contains(p.body, "logged out after 30 minutes without activity") {
		t.Fatal("the enquiry form has no session warning or no note of how long the session lasts")
	}
	o.db.Clock.Advance(25 * time.Minute)
	if p := seeker.post("/session/extend", nil); p.status != http.StatusNoContent {
		t.Fatalf("I'm still here: %d", p.status)
	}
	o.db.Clock.Advance(25 * time.Minute)
	if p := seeker.get("/threads"); p.status != http.StatusOK {
		t.Fatalf("50 minutes after login, 25 after I'm still here: %d, want still logged in", p.status)
	}
	o.db.Clock.Advance(31 * time.Minute)
	if p := seeker.post("/session/extend", nil); p.status != http.StatusUnauthorized {
		t.Fatalf("I'm still here after the session ended: %d", p.status)
	}
	c := o.enrol(counselling.RoleCounsellor, "Warned Counsellor")
	if p := c.get("/inbox"); !strings.Contains(p.body, `data-idle="900"`) {
		t.Fatal("staff pages do not warn before their 15 minutes")
	}
	if p := o.browser().get("/login"); strings.Contains(p.body, `id="session-warning"`) {
		t.Fatal("a page without a session warns about one")
	}
}

// Privacy terms that changed while the person was away stand between the login
// and the form: the terms page carries the text on, and accepting brings it
// back, not yet sent.
func TestCarriedTextSurvivesChangedTermsAtLogin(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Away Writer", "writing takes its time")
	id := seeker.write("family", "First words", "the first message")
	o.db.Clock.Advance(31 * time.Minute)
	text := "Written while the terms changed & still \"mine\"."
	carried := expiredAndCarried(t, o, seeker, "/threads/"+id+"/reply", url.Values{"body": {text}}, text)
	admin := o.enrol(counselling.RoleAdmin, "Terms Admin")
	admin.mustPost("/admin/terms", url.Values{"terms_lang": {"en"}, "terms_text": {"Version two, in English."}, "terms_kind": {"new"}}, "/admin/settings")

	p := seeker.post("/login", withLogin(carried, "nickname", "Away Writer", "password", "writing takes its time"))
	if p.status != http.StatusOK || !strings.Contains(p.body, `action="/terms"`) || !strings.Contains(p.body, "Once you accept the terms, it is back in the form") {
		t.Fatalf("the login with changed terms does not show the terms carrying the text: %d\n%s", p.status, p.body)
	}
	onTerms := hiddenFields(p.body)
	if onTerms.Get("body") != text || onTerms.Get("return_to") != "/threads/"+id+"/reply" {
		t.Fatalf("the terms page carries %v, want the text", onTerms)
	}
	before := o.db.Count(t, `SELECT count(*) FROM messages`)
	accepted := seeker.post("/terms", onTerms)
	if accepted.status != http.StatusOK || !textareaHolds(accepted.body, "body", text) || !strings.Contains(accepted.body, `id="restored-notice"`) {
		t.Fatalf("after accepting the terms the reply form is not filled in: %d\n%s", accepted.status, accepted.body)
	}
	if o.db.Count(t, `SELECT count(*) FROM messages`) != before {
		t.Fatal("the carried reply was sent without the person sending it")
	}
	if seeker.get("/threads").status != http.StatusOK {
		t.Fatal("the terms were not accepted")
	}
}
