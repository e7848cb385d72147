package web_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"confidant/counselling"
	"confidant/counselling/twofactor"
)

// browserFrom is a browser whose connections come from another loopback
// address, so that the office sees it as another client.
func (o *office) browserFrom(ip string) *browser {
	b := o.browser()
	base := o.srv.Client().Transport.(*http.Transport).Clone()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	base.DialContext = dialer.DialContext
	b.client.Transport = base
	return b
}

// withToken is a fresh browser that presents only the given session token.
func (o *office) withToken(token string) *browser {
	b := o.browser()
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(o.srv.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: "confidant", Value: token, Path: "/"}})
	b.client.Jar = jar
	return b
}

func login(nick, password string) url.Values {
	return url.Values{"nickname": {nick}, "password": {password}}
}

func TestAStrangerGuessingCannotKeepTheOwnerOut(t *testing.T) {
	o := newOffice(t)
	o.browser().register("Owner", "the owner's own long password")
	stranger := o.browserFrom("127.0.0.2")
	// The stranger's pauses grow to a minute; after that one guess a minute
	// is all it takes to keep an account resting if the pause is the account's.
	for range 10 {
		stranger.post("/login", login("Owner", "a wrong guess at it"))
		o.db.Clock.Advance(time.Minute)
	}
	for minute := range 20 {
		if p := stranger.post("/login", login("Owner", "a wrong guess at it")); p.status != http.StatusUnauthorized {
			t.Fatalf("stranger's guess: %d", p.status)
		}
		o.db.Clock.Advance(time.Second)
		owner := o.browser()
		if p := owner.post("/login", login("Owner", "the owner's own long password")); p.status != http.StatusSeeOther {
			t.Fatalf("minute %d: the owner, with the right password from their own connection, got %d while a stranger guesses", minute, p.status)
		}
		o.db.Clock.Advance(time.Minute - time.Second)
	}
}

func TestSixStrangersGuessingCannotKeepTheOwnerOut(t *testing.T) {
	o := newOffice(t)
	o.browser().register("Owner", "the owner's own long password")
	var strangers []*browser
	for i := range 6 {
		strangers = append(strangers, o.browserFrom(fmt.Sprintf("127.0.0.%d", 10+i)))
	}
	// Six strangers, each from an address of its own, guess as often as they
	// are let: three at once, then once a minute, until together they are past
	// the account's ceiling.
	guesses := 0
	for minute := 0; guesses < counselling.AccountFailureCeiling+6; minute++ {
		for _, stranger := range strangers {
			for range max(1, 3-minute) {
				if p := stranger.post("/login", login("Owner", "a wrong guess at it")); p.status != http.StatusUnauthorized {
					t.Fatalf("stranger's guess: %d", p.status)
				}
				guesses++
			}
		}
		o.db.Clock.Advance(time.Minute)
	}
	o.db.Clock.Advance(-59 * time.Second)
	if creds, _ := o.db.Credentials(context.Background(), "Owner"); creds.Failures.Count < counselling.AccountFailureCeiling {
		t.Fatalf("the strangers made only %d failures; the test wants the account past its ceiling", creds.Failures.Count)
	}
	if p := o.browserFrom("127.0.0.99").post("/login", login("Owner", "the owner's own long password")); p.status != http.StatusSeeOther {
		t.Fatalf("the owner, with the right password from their own connection a second after six strangers' guesses, got %d", p.status)
	}
}

func TestGuessesFromOneClientStaySlow(t *testing.T) {
	o := newOffice(t)
	o.browser().register("Guarded", "the guarded long password")
	right := login("Guarded", "the guarded long password")
	// A guesser who throws away cookies, or opens new browsers, is still one
	// client: each try below comes from a fresh browser on the same address.
	for range 4 {
		if p := o.browserFrom("127.0.0.3").post("/login", login("Guarded", "guess number one")); p.status != http.StatusUnauthorized {
			t.Fatalf("wrong guess: %d", p.status)
		}
	}
	// The right password is not even checked during the pause, so a guesser
	// cannot tell a hit from a miss by trying faster.
	if p := o.browserFrom("127.0.0.3").post("/login", right); p.status != http.StatusUnauthorized {
		t.Fatalf("right password from the guessing client during its pause: %d, want the same refusal", p.status)
	}
	// The pause grows with each failure, up to a minute.
	for range 10 {
		o.db.Clock.Advance(time.Minute)
		o.browserFrom("127.0.0.3").post("/login", login("Guarded", "another guess"))
	}
	o.db.Clock.Advance(59 * time.Second)
	if p := o.browserFrom("127.0.0.3").post("/login", right); p.status != http.StatusUnauthorized {
		t.Fatalf("right password 59 s after many failures: %d, want refusal", p.status)
	}
	o.db.Clock.Advance(time.Second)
	if p := o.browserFrom("127.0.0.3").post("/login", right); p.status != http.StatusSeeOther {
		t.Fatalf("right password after a minute's pause: %d, want 303", p.status)
	}
}

func TestPasswordRechecksCountLikeLogins(t *testing.T) {
	for _, tc := range []struct {
		path  string
		field string
		extra url.Values
		done  string
	}{
		{"/account/password", "current_password", url.Values{"new_password": {"a brand new long password"}}, "/account"},
		{"/account/delete", "password", nil, "/"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			o := newOffice(t)
			b := o.browser()
			b.register("Held Session", "the held session password")
			form := func(password string) url.Values {
				f := url.Values{tc.field: {password}}
				for k, v := range tc.extra {
					f[k] = v
				}
				return f
			}
			for range 4 {
				if p := b.post(tc.path, form("not the password")); p.status != http.StatusUnprocessableEntity && p.status != http.StatusBadRequest {
					t.Fatalf("wrong current password: %d", p.status)
				}
			}
			p := b.post(tc.path, form("the held session password"))
			if p.status == http.StatusSeeOther {
				t.Fatalf("the right password was checked at once after repeated wrong ones from a held session")
			}
			if !strings.Contains(p.body, "wait a minute") {
				t.Fatalf("the refusal does not say to wait:\n%s", p.body)
			}
			// The re-checks count for the login too: a new login from the same
			// connection waits as well.
			if p := o.browser().post("/login", login("Held Session", "the held session password")); p.status != http.StatusUnauthorized {
				t.Fatalf("login from the same client right after wrong re-checks: %d, want refusal", p.status)
			}
			if o.seekers() != 1 {
				t.Fatal("the account changed while the password was refused")
			}
			o.db.Clock.Advance(time.Minute)
			b.mustPost(tc.path, form("the held session password"), tc.done)
		})
	}
}

func TestWrongCodesAreCappedPerAccount(t *testing.T) {
	o := newOffice(t)
	admin := o.enrol(counselling.RoleAdmin, "Adele")
	secret := o.enrol(counselling.RoleCounsellor, "Carl").secret
	wrongs := 0
	for wrongs < counselling.MaxAccountSecondFactorFailures {
		b := o.browser()
		b.mustPost("/login", login("Carl", "staff password Carl"), "/login/totp")
		for range counselling.MaxSecondFactorFailures - 1 {
			if wrongs == counselling.MaxAccountSecondFactorFailures {
				break
			}
			if p := b.post("/login/totp", url.Values{"code": {"000000"}}); p.status != http.StatusUnauthorized {
				t.Fatalf("wrong code: %d", p.status)
			}
			wrongs++
		}
		o.db.Clock.Advance(time.Minute)
	}
	// Logging in again, with the right password and the right code: the account
	// has seen too many wrong codes today, so no code is checked.
	b := o.browser()
	b.mustPost("/login", login("Carl", "staff password Carl"), "/login/totp")
	code, _ := twofactor.Code(secret, o.db.Clock.Now())
	p := b.post("/login/totp", url.Values{"code": {code}})
	if p.status == http.StatusSeeOther {
		t.Fatal("the right code was accepted after the account's cap of wrong codes")
	}
	if !strings.Contains(p.body, "admins have been told") {
		t.Fatalf("the refusal does not say what happened:\n%s", p.body)
	}
	if p := b.get("/inbox"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/login" {
		t.Fatalf("the half-finished login lives on: %d %s", p.status, p.header.Get("Location"))
	}
	if log := admin.get("/admin/audit").body; !strings.Contains(log, "many wrong codes") || !strings.Contains(log, "Carl") {
		t.Fatalf("the admins were not told:\n%s", log)
	}
	o.db.Clock.Advance(counselling.SecondFactorWindow)
	b = o.browser()
	b.mustPost("/login", login("Carl", "staff password Carl"), "/login/totp")
	code, _ = twofactor.Code(secret, o.db.Clock.Now())
	b.mustPost("/login/totp", url.Values{"code": {code}}, "/inbox")
}

func TestLoginReplacesTheSessionItCameWith(t *testing.T) {
	t.Run("help-seeker", func(t *testing.T) {
		o := newOffice(t)
		b := o.browser()
		b.register("Fixed Point", "a fixed point password")
		before := b.cookie().Value
		b.mustPost("/login", login("Fixed Point", "a fixed point password"), "/threads")
		after := b.cookie().Value
		if after == before {
			t.Fatal("login kept the session token the browser came with")
		}
		if p := b.get("/threads"); p.status != http.StatusOK {
			t.Fatalf("new session: %d", p.status)
		}
		if p := o.withToken(before).get("/threads"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/login" {
			t.Fatalf("the old token still works after login: %d %s", p.status, p.header.Get("Location"))
		}
	})
	t.Run("staff", func(t *testing.T) {
		o := newOffice(t)
		s := o.enrol(counselling.RoleCounsellor, "Fixture")
		before := s.cookie().Value
		s.mustPost("/login", login("Fixture", "staff password Fixture"), "/login/totp")
		half := s.cookie().Value
		if half == before {
			t.Fatal("the password step kept the session token the browser came with")
		}
		if p := o.withToken(before).get("/inbox"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/login" {
			t.Fatalf("the old token still works after the password step: %d %s", p.status, p.header.Get("Location"))
		}
		o.db.Clock.Advance(time.Minute)
		code, _ := twofactor.Code(s.secret, o.db.Clock.Now())
		s.mustPost("/login/totp", url.Values{"code": {code}}, "/inbox")
		full := s.cookie().Value
		if full == half || full == before {
			t.Fatal("the second factor kept the half-finished session's token")
		}
		if p := s.get("/inbox"); p.status != http.StatusOK {
			t.Fatalf("new session: %d", p.status)
		}
		if p := o.withToken(half).get("/inbox"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/login" {
			t.Fatalf("the half-finished token still works after the second factor: %d %s", p.status, p.header.Get("Location"))
		}
	})
}

func TestParallelWrongCodesGetTheOrdinaryRefusal(t *testing.T) {
	o := newOffice(t)
	o.enrol(counselling.RoleCounsellor, "Carl")
	b := o.browser()
	b.mustPost("/login", login("Carl", "staff password Carl"), "/login/totp")
	// More codes than the login allows, at once: those that arrive after the
	// login has ended are refused like any other, never an error page.
	statuses := make(chan int, 4*counselling.MaxSecondFactorFailures)
	var wg sync.WaitGroup
	for range cap(statuses) {
		wg.Go(func() { statuses <- b.post("/login/totp", url.Values{"code": {"000000"}}).status })
	}
	wg.Wait()
	close(statuses)
	for status := range statuses {
		if status != http.StatusUnauthorized && status != http.StatusSeeOther {
			t.Errorf("a wrong code sent in parallel got %d", status)
		}
	}
}
