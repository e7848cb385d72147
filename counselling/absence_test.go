package counselling_test

import (
	"testing"
	"time"

	"confidant/counselling"
)

// TestStandInScope: a stand-in reads and answers the absent counsellor's mail
// threads during the absence only; before it and after it, their scope is
// their own threads again.
func TestStandInScope(t *testing.T) {
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	until := from.AddDate(0, 0, 5)
	absences := []counselling.Absence{
		{AccountID: "away", StandInID: "stand", From: from, Until: until},
		{AccountID: "other", StandInID: "someone-else", From: from, Until: until},
	}
	for _, tc := range []struct {
		name string
		who  string
		at   time.Time
		want string
	}{
		{"before the absence", "stand", from.Add(-time.Second), ""},
		{"at its first moment", "stand", from, "away"},
		{"during it", "stand", from.AddDate(0, 0, 3), "away"},
		{"at its end", "stand", until, ""},
		{"after it", "stand", until.AddDate(0, 0, 1), ""},
		{"a colleague not named as stand-in", "bystander", from.AddDate(0, 0, 1), ""},
		{"the absent counsellor stands in for nobody", "away", from.AddDate(0, 0, 1), ""},
		{"nobody", "", from.AddDate(0, 0, 1), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := counselling.StandingInFor(tc.who, absences, tc.at)
			if got != tc.want {
				t.Fatalf("stands in for %q, want %q", got, tc.want)
			}
			c := counselling.Caller{AccountID: tc.who, Kind: counselling.KindStaff, Role: counselling.RoleCounsellor, OfficeID: 1, StandsInFor: got}
			read := counselling.ReadScope(c)
			reply := counselling.ActScope(c, counselling.ActReply)
			if read.StandInFor != tc.want || reply.StandInFor != tc.want {
				t.Errorf("read scope widened to %q, reply scope to %q; want %q", read.StandInFor, reply.StandInFor, tc.want)
			}
			// The stand-in answers; the thread stays its holder's, so the
			// stand-in neither closes, hands over, flags nor tags it.
			for _, a := range []counselling.ThreadAction{counselling.ActClose, counselling.ActReopen, counselling.ActHandover,
				counselling.ActFlag, counselling.ActThemes, counselling.ActChat} {
				if s := counselling.ActScope(c, a); s.StandInFor != "" {
					t.Errorf("%s reaches the absent colleague's threads", a)
				}
			}
			if in := counselling.InboxOf(c); in.Own.StandInFor != tc.want {
				t.Errorf("the inbox lists %q's threads, want %q", in.Own.StandInFor, tc.want)
			}
		})
	}
	// A help-seeker or an admin gains nothing from a field they cannot hold.
	seeker := counselling.Caller{AccountID: "s", Kind: counselling.KindSeeker, StandsInFor: "away"}
	if s := counselling.ReadScope(seeker); s.StandInFor != "" {
		t.Errorf("a help-seeker's scope widened: %+v", s)
	}
	admin := counselling.Caller{AccountID: "a", Kind: counselling.KindStaff, Role: counselling.RoleAdmin, OfficeID: 1, StandsInFor: "away"}
	if s := counselling.ReadScope(admin); !s.None {
		t.Errorf("an admin reads threads: %+v", s)
	}
	thread := counselling.Thread{ThreadSummary: counselling.ThreadSummary{Channel: counselling.ChannelMail}, CounsellorID: "away"}
	if !thread.StandsInFor(counselling.Caller{AccountID: "stand", Kind: counselling.KindStaff, Role: counselling.RoleCounsellor, StandsInFor: "away"}) {
		t.Error("the stand-in is not told they answer for the absent counsellor")
	}
	thread.Channel = counselling.ChannelChat
	if thread.StandsInFor(counselling.Caller{AccountID: "stand", Kind: counselling.KindStaff, Role: counselling.RoleCounsellor, StandsInFor: "away"}) {
		t.Error("a stand-in takes over a chat")
	}
}

func TestValidateAbsence(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	me := counselling.Caller{AccountID: "me", Kind: counselling.KindStaff, Role: counselling.RoleCounsellor, OfficeID: 1}
	colleague := counselling.StaffMember{ID: "col", OfficeID: 1, Role: counselling.RoleCounsellor, Enrolled: true}
	elsewhere := counselling.StaffMember{ID: "far", OfficeID: 2, Role: counselling.RoleCounsellor, Enrolled: true}
	disabled := counselling.StaffMember{ID: "off", OfficeID: 1, Role: counselling.RoleCounsellor, Enrolled: true, Disabled: true}
	admin := counselling.StaffMember{ID: "adm", OfficeID: 1, Role: counselling.RoleAdmin, Enrolled: true}
	self := counselling.StaffMember{ID: "me", OfficeID: 1, Role: counselling.RoleCounsellor, Enrolled: true}
	day := 24 * time.Hour
	start := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		standIn *counselling.StaffMember
		from    time.Time
		until   time.Time
		bad     string
	}{
		{"a colleague for a week", &colleague, start, start.Add(7 * day), ""},
		{"myself", &self, start, start.Add(day), "stand_in"},
		{"someone of another office", &elsewhere, start, start.Add(day), "stand_in"},
		{"a disabled colleague", &disabled, start, start.Add(day), "stand_in"},
		{"an admin", &admin, start, start.Add(day), "stand_in"},
		{"nobody", nil, start, start.Add(day), "stand_in"},
		{"ends before it starts", &colleague, start, start.Add(-day), "to"},
		{"over already", &colleague, now.Add(-3 * day), now.Add(-day), "to"},
		{"longer than a year", &colleague, start, start.Add(400 * day), "to"},
		{"no first day", &colleague, time.Time{}, start, "from"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := counselling.Absence{AccountID: "me", From: tc.from, Until: tc.until}
			if tc.standIn != nil {
				a.StandInID = tc.standIn.ID
			}
			fields := counselling.ErrorFields(counselling.ValidateAbsence(me, a, tc.standIn, now))
			if tc.bad == "" && len(fields) > 0 {
				t.Fatalf("refused: %v", fields)
			}
			if tc.bad != "" && fields[tc.bad] == "" {
				t.Fatalf("not refused on %s: %v", tc.bad, fields)
			}
		})
	}
}
