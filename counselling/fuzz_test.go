package counselling_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"unicode/utf8"

	"confidant/counselling"
	"confidant/templates"
)

// refusalsAreTranslated fails when err carries a message that some language
// lacks: whatever a person types, a refusal reaches them in their language.
func refusalsAreTranslated(t *testing.T, err error) {
	t.Helper()
	var missing []string
	stop := templates.RecordMisses(func(lang, id string) { missing = append(missing, lang+": "+id) })
	defer stop()
	for _, msg := range counselling.ErrorFields(err) {
		for _, lang := range []string{"en", "de", "da", "nl"} {
			templates.Translate(lang, msg, nil, nil)
		}
	}
	if msg := counselling.ErrorMessage(err); msg != "" {
		for _, lang := range []string{"en", "de", "da", "nl"} {
			templates.Translate(lang, msg, nil, nil)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("refusal not translated: %v", missing)
	}
}

// A nickname is either refused with a translated reason, or normalised to a
// name that is readable, of allowed length, free of @, and stable: normalising
// it again changes nothing, so the same person always finds their account.
func FuzzNormalizeNickname(f *testing.F) {
	for _, s := range []string{"Stille Möwe", "ANNA", "Ａｎｎａ", "a@b", "ab", " x ", "\xff\xfe", "ǅemal", "ﬀ ligature", strings.Repeat("z", 40), "\u200bhidden", "İstanbul"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := counselling.NormalizeNickname(s)
		if err != nil {
			if counselling.ErrorFields(err)["nickname"] == "" {
				t.Fatalf("refused %q without saying why in the nickname field: %v", s, err)
			}
			refusalsAreTranslated(t, err)
			return
		}
		if !utf8.ValidString(n) || strings.Contains(n, "@") {
			t.Fatalf("%q normalised to %q", s, n)
		}
		if c := utf8.RuneCountInString(n); c < counselling.NicknameMinRunes || c > counselling.NicknameMaxRunes {
			t.Fatalf("%q normalised to %q of %d characters", s, n, c)
		}
		again, err := counselling.NormalizeNickname(n)
		if err != nil || again != n {
			t.Fatalf("normalising %q twice: %q then %q (%v)", s, n, again, err)
		}
	})
}

// A registration or an enquiry is accepted only when every field keeps the
// rules; anything else is refused with translated reasons and nothing else.
func FuzzFormValidation(f *testing.F) {
	f.Add("Stille Möwe", "am Meer ist es ruhig", "a@example.org", "15-19", "female", "anxiety", "Prüfung", "Vor jeder Prüfung …")
	f.Add("x", "", "not an address", "7", "robot", "", "", " \t ")
	f.Add("nick", "password1", "a@b\x00.org", "65-plus", "diverse", "other", strings.Repeat("s", 201), "text\x07bell")
	f.Add("\xff", "\xfe", "", "", "", "family", "", "line\r\nbreak")
	f.Fuzz(func(t *testing.T, nick, password, email, age, gender, theme, subject, body string) {
		r := counselling.Registration{OfficeID: 1, Nickname: nick, Password: password, AcceptTerms: true,
			Profile: counselling.Profile{Email: email, AgeBand: age, Gender: gender}}
		if err := r.Validate(); err != nil {
			if len(counselling.ErrorFields(err)) == 0 && counselling.ErrorMessage(err) == "" {
				t.Fatalf("registration refused without a reason: %v", err)
			}
			refusalsAreTranslated(t, err)
		} else {
			if _, err := counselling.NormalizeNickname(nick); err != nil {
				t.Fatalf("registration accepted nickname %q that normalisation refuses", nick)
			}
			if r.Email != "" && !counselling.ValidEmail(r.Email) {
				t.Fatalf("registration accepted email %q", r.Email)
			}
			if !utf8.ValidString(password) {
				t.Fatal("registration accepted an unreadable password")
			}
		}
		e := counselling.Enquiry{Theme: theme, Subject: subject, Body: body}
		if err := e.Validate(); err != nil {
			refusalsAreTranslated(t, err)
			return
		}
		for _, text := range []string{e.Subject, e.Body} {
			if !utf8.ValidString(text) || strings.ContainsFunc(text, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' && r != '\t' }) {
				t.Fatalf("enquiry accepted unreadable or control text %q", text)
			}
		}
		if strings.TrimSpace(e.Body) == "" || utf8.RuneCountInString(e.Body) > counselling.BodyMaxRunes ||
			utf8.RuneCountInString(e.Subject) > counselling.SubjectMaxRunes || e.Theme == "" {
			t.Fatalf("enquiry accepted outside its limits: %+v", e)
		}
	})
}

// Whatever a theme, region or label holds, its CSV cell never starts a
// formula, and reading the file back gives the cell exactly as written.
func FuzzSpreadsheetCell(f *testing.F) {
	for _, s := range []string{"=HYPERLINK(\"http://x\")", "+1", "-5", "@SUM(A1)", "\tx", "\rx", "plain", "", "a,b", "say \"hi\"", "line\nbreak", "'quoted"} {
		f.Add(s, "second")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return // the office writes only text it could read
		}
		cells := []string{counselling.SpreadsheetCell(a), counselling.SpreadsheetCell(b)}
		for _, c := range cells {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Fatalf("cell %q starts a formula", c)
			}
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		if err := w.Write(cells); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		got, err := csv.NewReader(&buf).Read()
		if err != nil {
			t.Fatalf("reading back %q: %v", buf.String(), err)
		}
		// encoding/csv turns \r\n inside a quoted field into \n when it reads.
		for i, want := range cells {
			if got[i] != strings.ReplaceAll(want, "\r\n", "\n") {
				t.Fatalf("cell %d: wrote %q, read %q", i, want, got[i])
			}
		}
	})
}
