package counselling_test

import (
	"strings"
	"testing"
	"time"

	"confidant/counselling"
)

func TestNicknameVariantsCollide(t *testing.T) {
	want, err := counselling.NormalizeNickname("Anna")
	if err != nil {
		t.Fatal(err)
	}
	for _, variant := range []string{"ANNA", "anna", "Ａｎｎａ", "  Anna  ", "ＡＮＮＡ"} {
		got, err := counselling.NormalizeNickname(variant)
		if err != nil {
			t.Errorf("%q: %v", variant, err)
			continue
		}
		if got != want {
			t.Errorf("%q normalises to %q, Anna to %q: they must collide", variant, got, want)
		}
	}
	other, _ := counselling.NormalizeNickname("Anne")
	if other == want {
		t.Error("Anne collides with Anna")
	}
}

func TestNicknameRules(t *testing.T) {
	for _, tc := range []struct {
		nick string
		ok   bool
	}{
		{"Blue Bird", true},
		{"Øjvind", true},
		{"ab", false},
		{strings.Repeat("a", 33), false},
		{"me@example.org", false},
		{"bad\x00name", false},
		{"bad\xffname", false},
		{"", false},
	} {
		_, err := counselling.NormalizeNickname(tc.nick)
		if (err == nil) != tc.ok {
			t.Errorf("NormalizeNickname(%q) error = %v, want ok=%v", tc.nick, err, tc.ok)
		}
		if err != nil && counselling.ErrorCode(err) != counselling.EInvalid {
			t.Errorf("%q: code %s, want invalid", tc.nick, counselling.ErrorCode(err))
		}
	}
}

func TestPasswordRules(t *testing.T) {
	for _, tc := range []struct {
		pw   string
		ok   bool
		hint string
	}{
		{"correct horse battery", true, ""},
		{"Zw9!kd", false, "at least 8"},
		{strings.Repeat("x", 129), false, "at most 128"},
		{strings.Repeat("ü", 128), true, ""},
		{"password", false, "common"},
		{"PASSWORD", false, "common"},
		{"iloveyou", false, "common"},
		{"12345678", false, "common"},
		{"qwertyuiop", false, "common"},
		{"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8", false, "could not be read"},
	} {
		err := counselling.ValidatePassword(tc.pw)
		if (err == nil) != tc.ok {
			t.Errorf("ValidatePassword(%.20q) = %v, want ok=%v", tc.pw, err, tc.ok)
		}
		if err != nil && !strings.Contains(counselling.ErrorMessage(err), tc.hint) {
			t.Errorf("ValidatePassword(%.20q) says %q, want it to mention %q", tc.pw, counselling.ErrorMessage(err), tc.hint)
		}
	}
}

func TestRegistrationReportsEveryProblem(t *testing.T) {
	reg := counselling.Registration{Nickname: "x", Password: "short", Profile: counselling.Profile{
		Email: "not-an-address", AgeBand: "12", Gender: "robot"}}
	err := reg.Validate()
	fields := counselling.ErrorFields(err)
	for _, f := range []string{"nickname", "password", "email", "age_band", "gender", "accept_terms"} {
		if fields[f] == "" {
			t.Errorf("no message for %s; got %v", f, fields)
		}
	}
	good := counselling.Registration{Nickname: "Quiet Fox", Password: "a long calm sentence", AcceptTerms: true,
		Profile: counselling.Profile{Email: "fox@example.org", AgeBand: "15-19", Gender: "diverse", Region: "Aarhus C"}}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid registration refused: %v", err)
	}
}

func TestSessionExpiry(t *testing.T) {
	p := counselling.DefaultSessionPolicy
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	seeker := &counselling.Session{Kind: counselling.KindSeeker, CreatedAt: start, LastSeenAt: start}
	staff := &counselling.Session{Kind: counselling.KindStaff, CreatedAt: start, LastSeenAt: start}
	for _, tc := range []struct {
		name  string
		s     *counselling.Session
		after time.Duration
		want  bool
	}{
		{"seeker active", seeker, 29 * time.Minute, false},
		{"seeker idle 30 min", seeker, 30 * time.Minute, true},
		{"staff active", staff, 14 * time.Minute, false},
		{"staff idle 15 min", staff, 15 * time.Minute, true},
	} {
		if got := p.Expired(tc.s, start.Add(tc.after)); got != tc.want {
			t.Errorf("%s: expired = %v, want %v", tc.name, got, tc.want)
		}
	}
	busy := &counselling.Session{Kind: counselling.KindSeeker, CreatedAt: start, LastSeenAt: start.Add(12*time.Hour - time.Minute)}
	if !p.Expired(busy, start.Add(12*time.Hour)) {
		t.Error("a session active all day must still end after 12 hours")
	}
}

func TestSessionCutoffsAgreeWithExpiry(t *testing.T) {
	p := counselling.DefaultSessionPolicy
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	idle, created := p.Cutoffs(now)
	for _, s := range []*counselling.Session{
		{Kind: counselling.KindSeeker, CreatedAt: now.Add(-time.Hour), LastSeenAt: idle},
		{Kind: counselling.KindStaff, CreatedAt: now.Add(-time.Hour), LastSeenAt: idle},
		{Kind: counselling.KindSeeker, CreatedAt: created, LastSeenAt: now},
	} {
		if !p.Expired(s, now) {
			t.Errorf("a session at the purge cutoff (%+v) is not expired: the purge would delete a live session", s)
		}
	}
}
