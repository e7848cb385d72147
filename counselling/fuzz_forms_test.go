package counselling_test

import (
	"errors"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"confidant/counselling"
)

// refusedWithin fails unless err is the domain's own refusal: a
// counselling.Error that is no internal error, with a message a person can
// read, naming no field but those given, and translated in every language.
func refusedWithin(t *testing.T, err error, fields ...string) {
	t.Helper()
	var e *counselling.Error
	if !errors.As(err, &e) || e.Code == counselling.EInternal || e.Message == "" {
		t.Fatalf("refused without a user-safe reason: %#v", err)
	}
	for f, msg := range e.Fields {
		if !slices.Contains(fields, f) || msg == "" {
			t.Fatalf("refusal names field %q (%q), not one of %v", f, msg, fields)
		}
	}
	refusalsAreTranslated(t, err)
}

// readableText reports whether text keeps the rules of typed text: readable,
// and free of control characters other than line breaks and tabs.
func readableText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' && r != '\t' })
}

// fuzzZones are the zones a fuzzed office keeps its time in, picked by a
// number: several with summer time (one shifting by half an hour, one on the
// southern half of the year), one without, one at a quarter hour.
var fuzzZones = []string{"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham", "UTC", "Asia/Kathmandu", "America/Santiago", "Europe/London"}

// Times typed into forms, in an office's time zone: a time zone name, a
// slot's or group chat's start and end, a clock time, a call-back window
// and an office's working time. Whatever is typed, each is refused with a
// translated reason naming only its own fields, or accepted as a moment that
// shows on the office's clock exactly as typed (never moved by an hour over
// a change of the clocks), within its limits, and reading the accepted
// value again gives the same.
func FuzzOfficeTimes(f *testing.F) {
	// Around the changes of the clocks in Berlin (2026-03-29 02:00 skipped,
	// 2026-10-25 02:00 repeated) and in Lord Howe (half an hour).
	f.Add("Europe/Berlin", uint8(0), "2026-03-29T02:30", "2026-03-29T04:00", "30", "chat", "09:00", "10:30", "9:00", "2026-12-24\n2026-12-24\n2026-12-31", int64(1774700000))
	f.Add("Europe/Berlin", uint8(0), "2026-10-25T02:30", "2026-10-25T03:30", "15", "video", "02:30", "03:00", "24:00", "2026-02-30", int64(1792800000))
	f.Add("Australia/Lord_Howe", uint8(2), "2026-04-05T01:45", "2026-04-05T05:45", "120", "video", "1:30", "2:15", "23:59", "", int64(1775300000))
	f.Add("", uint8(4), " 2026-12-01T14:30 ", "2026-12-01T18:31", "121", "phone", "", "", "24:01", "  \n", int64(1790000000))
	f.Add("Local", uint8(7), "2026-12-01 14:30", "2026-13-01T14:30", "14", "", "25:00", "-1:00", "9:5", "x", int64(0))
	f.Add("../../etc/passwd", uint8(1), "0000-01-01T00:00", "9999-12-31T23:59", "+30", "chat", "00:00", "24:00", "0:00", "0001-01-01", int64(-62135596800))
	f.Add("America/Santiago", uint8(6), "2026-09-06T00:15", "2026-09-06T04:15", " 60 ", "chat", "23:00", "23:59", "12:3x", "2026-09-06", int64(1788600000))
	f.Fuzz(func(t *testing.T, zone string, pick uint8, start, end, minutes, kind, from, until, clock, holidays string, nowUnix int64) {
		// The moment a form is posted: any in the three years from June 2025,
		// so that the dates typed are often in the months ahead.
		base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
		span := int64(3 * 365 * 24 * 3600)
		now := base.Add(time.Duration(((nowUnix-base.Unix())%span+span)%span) * time.Second)
		loc, err := counselling.ValidateTimeZone(zone)
		if err != nil {
			refusedWithin(t, err, "time_zone")
			loc, _ = time.LoadLocation(fuzzZones[int(pick)%len(fuzzZones)])
		} else if again, err := counselling.ValidateTimeZone(loc.String()); err != nil || again.String() != loc.String() {
			t.Fatalf("zone %q accepted as %q, which is then %v", zone, loc, err)
		}

		at, err := counselling.ParseOfficeTime(start, loc)
		if err != nil {
			if err != counselling.ErrOfficeTimeFormat && err != counselling.ErrOfficeTimeSkipped && err != counselling.ErrOfficeTimeTwice {
				t.Fatalf("office time %q refused with %v", start, err)
			}
			refusedWithin(t, err)
		} else {
			wall, perr := time.Parse(counselling.SlotStartLayout, strings.TrimSpace(start))
			if perr != nil || at.Location() != time.UTC {
				t.Fatalf("office time %q accepted as %v (%v)", start, at, perr)
			}
			if got := at.In(loc).Format(counselling.SlotStartLayout); got != wall.Format(counselling.SlotStartLayout) {
				t.Fatalf("office time %q in %s names %s, which the office's clock shows as %s", start, loc, at, got)
			}
			if again, err := counselling.ParseOfficeTime(at.In(loc).Format(counselling.SlotStartLayout), loc); err != nil || !again.Equal(at) {
				t.Fatalf("office time %q reads as %s, then as %s (%v)", start, at, again, err)
			}
		}

		if m, ok := counselling.ParseClock(clock); ok {
			if m < 0 || m > 24*60 {
				t.Fatalf("clock %q read as %d minutes", clock, m)
			}
			if again, ok := counselling.ParseClock(counselling.FormatClock(m)); !ok || again != m {
				t.Fatalf("clock %q read as %d, written as %q, read again as %d", clock, m, counselling.FormatClock(m), again)
			}
		}

		ws, we, err := counselling.ParseCallbackWindow(from, until, now, loc)
		switch {
		case err != nil:
			refusedWithin(t, err, "window_from")
		case strings.TrimSpace(from) == "" && strings.TrimSpace(until) == "":
			if !ws.IsZero() || !we.IsZero() {
				t.Fatalf("no window typed, but %s–%s", ws, we)
			}
		default:
			if !we.After(ws) || !we.After(now) {
				t.Fatalf("window %q–%q at %s accepted as %s–%s", from, until, now, ws, we)
			}
			y, m, d := now.In(loc).Date()
			for _, c := range []struct {
				typed string
				at    time.Time
			}{{from, ws}, {until, we}} {
				typed, _ := time.Parse("15:04", strings.TrimSpace(c.typed))
				ay, am, ad := c.at.In(loc).Date()
				if ay != y || am != m || ad != d || c.at.In(loc).Format("15:04") != typed.Format("15:04") {
					t.Fatalf("window time %q on %d-%d-%d in %s read as %s", c.typed, y, m, d, loc, c.at.In(loc))
				}
			}
		}

		slot, err := counselling.NewSlot(start, minutes, kind, loc, now)
		if err != nil {
			refusedWithin(t, err, "start", "minutes", "kind")
		} else {
			if !slot.Start.Equal(at) || !slot.Start.After(now) || slot.Start.Sub(now) > counselling.SlotMaxAhead ||
				slot.Minutes < counselling.SlotMinMinutes || slot.Minutes > counselling.SlotMaxMinutes ||
				(slot.Kind != counselling.SlotChat && slot.Kind != counselling.SlotVideo) {
				t.Fatalf("slot %q %q %q at %s accepted as %+v", start, minutes, kind, now, slot)
			}
			again, err := counselling.NewSlot(slot.Start.In(loc).Format(counselling.SlotStartLayout), strconv.Itoa(slot.Minutes), slot.Kind, loc, now)
			if err != nil || !reflect.DeepEqual(again, slot) {
				t.Fatalf("slot %+v read again as %+v (%v)", slot, again, err)
			}
		}

		g, err := counselling.NewGroupChat(kind, holidays, start, end, minutes, "c1", loc, now)
		if err != nil {
			refusedWithin(t, err, "theme", "rules", "starts_at", "ends_at", "max_size", "moderator")
		} else {
			length := g.EndsAt.Sub(g.StartsAt)
			if !g.StartsAt.Equal(at) || !g.StartsAt.After(now) || g.StartsAt.Sub(now) > counselling.GroupMaxAhead ||
				length < counselling.GroupMinLength || length > counselling.GroupMaxLength ||
				g.MaxSize < counselling.GroupMinSize || g.MaxSize > counselling.GroupMaxSize ||
				g.Theme == "" || g.Rules == "" || !readableText(g.Theme) || !readableText(g.Rules) ||
				utf8.RuneCountInString(g.Theme) > counselling.GroupThemeMaxRunes || utf8.RuneCountInString(g.Rules) > counselling.GroupRulesMaxRunes {
				t.Fatalf("group chat accepted as %+v at %s", g, now)
			}
			again, err := counselling.NewGroupChat(g.Theme, g.Rules, g.StartsAt.In(loc).Format(counselling.SlotStartLayout),
				g.EndsAt.In(loc).Format(counselling.SlotStartLayout), strconv.Itoa(g.MaxSize), g.ModeratorID, loc, now)
			if err != nil || !reflect.DeepEqual(again, g) {
				t.Fatalf("group chat %+v read again as %+v (%v)", g, again, err)
			}
		}

		opens, _ := counselling.ParseClock(from)
		closes, _ := counselling.ParseClock(until)
		w := counselling.Workday{TimeZone: zone, Promise: counselling.DefaultPromise, Holidays: strings.Split(holidays, "\n")}
		w.Hours[int(pick)%7] = counselling.DayHours{Opens: opens, Closes: closes}
		if err := w.Validate(); err != nil {
			fields := []string{"time_zone", "promise_amount", "holidays"}
			for wd := range 7 {
				fields = append(fields, "closes_"+strconv.Itoa(wd))
			}
			refusedWithin(t, err, fields...)
			return
		}
		if _, err := time.LoadLocation(w.TimeZone); err != nil || len(w.Holidays) > 366 || !slices.IsSorted(w.Holidays) || len(slices.Compact(slices.Clone(w.Holidays))) != len(w.Holidays) {
			t.Fatalf("working time accepted as %+v", w)
		}
		for _, h := range w.Holidays {
			if _, err := time.Parse(counselling.DateLayout, h); err != nil {
				t.Fatalf("holiday %q accepted", h)
			}
		}
		again := w
		again.Holidays = slices.Clone(w.Holidays)
		if err := again.Validate(); err != nil || !reflect.DeepEqual(again, w) {
			t.Fatalf("working time %+v validated again as %+v (%v)", w, again, err)
		}
	})
}

// Ratings, survey answers, survey questions and the sampling rule, as
// forms post them: each is refused with a translated reason naming only its
// own fields, or accepted within its limits, and reading the accepted value
// again gives the same.
func FuzzRatingsAndSurveys(f *testing.F) {
	f.Add("5", "Danke!", "q-a=2&q-b=1&q-b=3&q-c=5", "after-contact", "single", "Wie war es?", "gut\nschlecht", "20", "30", "3")
	f.Add(" 1 ", "", "q-a=2&q-a=3", "before-chat", "multiple", " ", "nur eine", "5", "99", "6")
	f.Add("6", "x\x00y", "q-d=1", "later", "scale", "Wie sehr?", "", "200", "1", "20")
	f.Add("+3", "\xff", "q-c=0&q-c=6&other=1", "after-contact", "scale", "Frage", "a\nb", "4", "100", "0")
	f.Add("٣", strings.Repeat("ä", 2001), "q-b=%20&q-b=1&q-b=1", "before-chat", "single", strings.Repeat("?", 301), "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11", "0x10", "1e2", "-1")
	f.Add("4", "ok", "%zz", "after-contact", "multiple", "Which?", "a\r\nb\r\n\r\nc", "05", "050", "005")
	asked := []counselling.SurveyQuestion{
		{ID: "a", Kind: counselling.SurveySingle, Options: make([]map[string]string, 3)},
		{ID: "b", Kind: counselling.SurveyMultiple, Options: make([]map[string]string, 4)},
		{ID: "c", Kind: counselling.SurveyScale},
		{ID: "d", Kind: counselling.SurveySingle, Options: make([]map[string]string, 2), Retired: true},
	}
	f.Fuzz(func(t *testing.T, score, comment, answers, moment, kind, text, options, window, threshold, sample string) {
		r, err := counselling.ParseRating(counselling.RatingBySeeker, score, comment)
		if err != nil {
			refusedWithin(t, err, "score", "comment")
		} else {
			if r.Score < 1 || r.Score > 5 || r.Side != counselling.RatingBySeeker || !readableText(r.Comment) ||
				r.Comment != strings.TrimSpace(r.Comment) || utf8.RuneCountInString(r.Comment) > counselling.CommentMaxRunes {
				t.Fatalf("rating %q %q accepted as %+v", score, comment, r)
			}
			if again, err := counselling.ParseRating(r.Side, strconv.Itoa(r.Score), r.Comment); err != nil || again != r {
				t.Fatalf("rating %+v read again as %+v (%v)", r, again, err)
			}
		}

		if form, err := url.ParseQuery(answers); err == nil {
			got, err := counselling.ParseSurveyAnswers(asked, form)
			if err != nil {
				fields := []string{}
				for _, q := range asked {
					fields = append(fields, counselling.SurveyField(q.ID))
				}
				refusedWithin(t, err, fields...)
			} else {
				if err := counselling.CheckSurveyAnswers(asked, got); err != nil {
					t.Fatalf("answers %q accepted as %+v, which the store refuses: %v", answers, got, err)
				}
				seen := map[counselling.SurveyAnswer]bool{}
				per := map[string]int{}
				for _, a := range got {
					if seen[a] {
						t.Fatalf("answers %q accepted with %+v twice", answers, a)
					}
					seen[a] = true
					per[a.QuestionID]++
				}
				for _, q := range asked {
					if per[q.ID] > 1 && q.Kind != counselling.SurveyMultiple {
						t.Fatalf("answers %q give question %s %d answers", answers, q.ID, per[q.ID])
					}
				}
			}
		}

		form := counselling.SurveyQuestionForm{Moment: moment, Kind: kind, Texts: map[string]string{}, Options: map[string]string{}}
		for i, lang := range counselling.SurveyLanguages {
			form.Texts[lang] = text + strings.Repeat(" ", i)
			form.Options[lang] = options
		}
		q, err := counselling.ParseSurveyQuestion(form, nil)
		if err != nil {
			fields := []string{"moment", "kind"}
			for _, lang := range counselling.SurveyLanguages {
				fields = append(fields, "text_"+lang, "options_"+lang)
			}
			refusedWithin(t, err, fields...)
		} else {
			if q.Moment != counselling.SurveyBeforeChat && q.Moment != counselling.SurveyAfterContact {
				t.Fatalf("question accepted at moment %q", q.Moment)
			}
			for _, lang := range counselling.SurveyLanguages {
				if q.Texts[lang] == "" || !readableText(q.Texts[lang]) || utf8.RuneCountInString(q.Texts[lang]) > counselling.SurveyTextMaxRunes {
					t.Fatalf("question accepted with text %q in %s", q.Texts[lang], lang)
				}
			}
			switch q.Kind {
			case counselling.SurveyScale:
				if len(q.Options) != 0 {
					t.Fatalf("a scale accepted with options %v", q.Options)
				}
			case counselling.SurveySingle, counselling.SurveyMultiple:
				if len(q.Options) < 2 || len(q.Options) > counselling.MaxSurveyOptions {
					t.Fatalf("a choice accepted with %d options", len(q.Options))
				}
			default:
				t.Fatalf("question accepted of kind %q", q.Kind)
			}
			// The question as an admin's form shows it again reads the same,
			// and as the question changed it keeps its options.
			again := counselling.SurveyQuestionForm{Moment: string(q.Moment), Kind: string(q.Kind), Texts: q.Texts, Options: map[string]string{}}
			for _, lang := range counselling.SurveyLanguages {
				var lines []string
				for _, o := range q.Options {
					if !readableText(o[lang]) || o[lang] != strings.TrimSpace(o[lang]) || o[lang] == "" || utf8.RuneCountInString(o[lang]) > counselling.SurveyOptionMaxRunes {
						t.Fatalf("option accepted as %q in %s", o[lang], lang)
					}
					lines = append(lines, o[lang])
				}
				again.Options[lang] = strings.Join(lines, "\n")
			}
			q2, err := counselling.ParseSurveyQuestion(again, &q)
			if err != nil || !reflect.DeepEqual(q2, q) {
				t.Fatalf("question %+v read again as %+v (%v)", q, q2, err)
			}
		}

		s, err := counselling.ParseQualitySettings(window, threshold, sample)
		if err != nil {
			refusedWithin(t, err, "window", "threshold", "sample")
			return
		}
		if s.Window < 5 || s.Window > 200 || s.ThresholdPercent < 1 || s.ThresholdPercent > 99 || s.Sample < 1 || s.Sample > 20 || s.Sample > s.Window {
			t.Fatalf("sampling %q %q %q accepted as %+v", window, threshold, sample, s)
		}
		if again, err := counselling.ParseQualitySettings(strconv.Itoa(s.Window), strconv.Itoa(s.ThresholdPercent), strconv.Itoa(s.Sample)); err != nil || again != s {
			t.Fatalf("sampling %+v read again as %+v (%v)", s, again, err)
		}
	})
}

// What staff names, recovery codes, chat messages and a browser's push
// subscription hold: each is refused with a translated reason naming only
// its own field, or accepted by the domain's rules, and reading the accepted
// value again gives the same. A push endpoint the office keeps is an https
// address of a host, no longer than MaxEndpointLength, with no user name or
// fragment, and its keys have the sizes Web Push needs.
func FuzzAccountInputs(f *testing.F) {
	f.Add("Frau Berg", "7kq2 m9xd-ab12-cdef-ghjk", "c1", "Hallo, ich bin da.", "https://fcm.googleapis.com/fcm/send/abc", "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM", "tBHItJI5svbpez7KI4CCXg")
	f.Add("a@b", "O1IL-0000-0000-0000-0000", "", "", "http://push.example/x", "", "")
	f.Add("Ｂｅｒｇ", "UUUU-UUUU-UUUU-UUUU-UUUU", "id with space", "\x07", "https://user:pw@push.example/x", "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM==", "tBHItJI5svbpez7KI4CCXg==")
	f.Add("\xff", strings.Repeat("0", 101), strings.Repeat("x", 65), strings.Repeat("ü", 4001), "https://push.example/x#frag", "AAAA", "AAAA")
	f.Add("  ǅemal  ", "ı", "a-_Z9", "line\r\nbreak\ttab", "https:///path", "!!", "tBHItJI5svbpez7KI4CCXg")
	f.Add("ab", "", "x", "ok", "HTTPS://PUSH.EXAMPLE:443/x?y=1", "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM", "tBHItJI5svbpez7KI4CCXg")
	f.Add("name", "", "x", "ok", "https://[::1]:8443/x", "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM", "tBHItJI5svbpez7KI4CCXg")
	f.Fuzz(func(t *testing.T, name, code, clientID, body, endpoint, p256, auth string) {
		n, err := counselling.NormalizeStaffName(name)
		if err != nil {
			refusedWithin(t, err, "name")
		} else {
			if c := utf8.RuneCountInString(n); c < counselling.NicknameMinRunes || c > counselling.NicknameMaxRunes || strings.Contains(n, "@") || !utf8.ValidString(n) {
				t.Fatalf("staff name %q normalised to %q", name, n)
			}
			if again, err := counselling.NormalizeStaffName(n); err != nil || again != n {
				t.Fatalf("staff name %q normalised to %q, then %q (%v)", name, n, again, err)
			}
		}

		if c := counselling.NormalizeRecoveryCode(code); c != "" {
			if len(c) != counselling.RecoveryCodeChars || strings.ContainsFunc(c, func(r rune) bool { return !strings.ContainsRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", r) }) {
				t.Fatalf("recovery code %q normalised to %q", code, c)
			}
			if again := counselling.NormalizeRecoveryCode(c); again != c {
				t.Fatalf("recovery code %q normalised to %q, then %q", code, c, again)
			}
		}

		if err := counselling.ValidateChatMessage(clientID, body); err != nil {
			refusedWithin(t, err, "body")
		} else {
			if clientID == "" || len(clientID) > counselling.ClientIDMaxLen || strings.ContainsFunc(clientID, func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
			}) {
				t.Fatalf("chat message accepted with client id %q", clientID)
			}
			if !readableText(body) || strings.TrimSpace(body) == "" || utf8.RuneCountInString(body) > counselling.ChatBodyMaxRunes {
				t.Fatalf("chat message accepted: %q", body)
			}
		}

		sub := counselling.PushSubscription{Endpoint: endpoint, P256dh: p256, Auth: auth}
		if err := sub.Validate(); err != nil {
			refusedWithin(t, err)
			return
		}
		u, err := url.Parse(endpoint)
		if err != nil || len(endpoint) > counselling.MaxEndpointLength || u.Scheme != "https" || u.Hostname() == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
			t.Fatalf("push endpoint accepted: %q", endpoint)
		}
		// The scheme may be written in capitals, as URLs allow.
		if len(endpoint) < 8 || !strings.EqualFold(endpoint[:8], "https://") {
			t.Fatalf("push endpoint accepted without https:// in front: %q", endpoint)
		}
	})
}
