package counselling_test

import (
	"testing"
	"time"

	"confidant/counselling"
)

var (
	cbDay     = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	cbSeeker  = counselling.Caller{AccountID: "seeker", Kind: counselling.KindSeeker, OfficeID: 1}
	cbGuest   = counselling.Caller{AccountID: "guest", Kind: counselling.KindSeeker, OfficeID: 1, Guest: true}
	maren     = counselling.Caller{AccountID: "maren", Kind: counselling.KindStaff, Role: counselling.RoleCounsellor, OfficeID: 1}
	supMia    = counselling.Caller{AccountID: "mia", Kind: counselling.KindStaff, Role: counselling.RoleSupervisor, OfficeID: 1}
	northOle  = counselling.Caller{AccountID: "ole", Kind: counselling.KindStaff, Role: counselling.RoleCounsellor, OfficeID: 2}
	adminAnn  = counselling.Caller{AccountID: "ann", Kind: counselling.KindStaff, Role: counselling.RoleAdmin, OfficeID: 1}
	openMail  = counselling.ContactLink{CounsellorID: "maren", Channel: counselling.ChannelMail, Status: counselling.StatusAssigned, ThemeID: 1, CreatedAt: cbDay}
	closedMl  = counselling.ContactLink{CounsellorID: "maren", Channel: counselling.ChannelMail, Status: counselling.StatusClosed, ThemeID: 2, CreatedAt: cbDay}
	pastChat  = counselling.ContactLink{CounsellorID: "maren", Channel: counselling.ChannelChat, Status: counselling.StatusClosed, ThemeID: 3, CreatedAt: cbDay.Add(time.Hour)}
	otherMail = counselling.ContactLink{CounsellorID: "mia", Channel: counselling.ChannelMail, Status: counselling.StatusAssigned, ThemeID: 2, CreatedAt: cbDay}
)

func staffOf(c counselling.Caller) *counselling.StaffMember {
	return &counselling.StaffMember{ID: c.AccountID, OfficeID: c.OfficeID, Role: c.Role, Enrolled: true}
}

func TestMayRequestCallback(t *testing.T) {
	disabled := staffOf(maren)
	disabled.Disabled = true
	for _, tc := range []struct {
		name   string
		seeker counselling.Caller
		target *counselling.StaffMember
		links  []counselling.ContactLink
		open   bool
		want   error
	}{
		{"holder of an open conversation", cbSeeker, staffOf(maren), []counselling.ContactLink{openMail}, false, nil},
		{"counsellor they chatted with", cbSeeker, staffOf(maren), []counselling.ContactLink{pastChat}, false, nil},
		{"a supervisor holding their conversation", cbSeeker, staffOf(supMia), []counselling.ContactLink{otherMail}, false, nil},
		{"only a closed mail conversation", cbSeeker, staffOf(maren), []counselling.ContactLink{closedMl}, false, counselling.ErrCallbackNotInContact},
		{"a colleague of the holder", cbSeeker, staffOf(supMia), []counselling.ContactLink{openMail}, false, counselling.ErrCallbackNotInContact},
		{"no conversation at all", cbSeeker, staffOf(maren), nil, false, counselling.ErrCallbackNotInContact},
		{"a counsellor of another office", cbSeeker, staffOf(northOle), []counselling.ContactLink{{CounsellorID: "ole", Status: counselling.StatusAssigned}}, false, counselling.ErrCallbackOtherOffice},
		{"an admin", cbSeeker, staffOf(adminAnn), []counselling.ContactLink{{CounsellorID: "ann", Status: counselling.StatusAssigned}}, false, counselling.ErrCallbackNotInContact},
		{"a disabled counsellor", cbSeeker, disabled, []counselling.ContactLink{openMail}, false, counselling.ErrCallbackNotInContact},
		{"nobody", cbSeeker, nil, []counselling.ContactLink{openMail}, false, counselling.ErrCallbackNotInContact},
		{"a second open request", cbSeeker, staffOf(maren), []counselling.ContactLink{openMail}, true, counselling.ErrCallbackOpen},
		{"a guest", cbGuest, staffOf(maren), []counselling.ContactLink{pastChat}, false, counselling.ErrGuestOnlyChats},
		{"staff", maren, staffOf(supMia), []counselling.ContactLink{otherMail}, false, counselling.ErrGuestOnlyChats},
	} {
		if got := counselling.MayRequestCallback(tc.seeker, tc.target, tc.links, tc.open); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCallbackExpiry(t *testing.T) {
	for _, tc := range []struct {
		hours int
		after time.Duration
	}{{0, 24 * time.Hour}, {2, 2 * time.Hour}, {168, 168 * time.Hour}, {169, 24 * time.Hour}, {-1, 24 * time.Hour}} {
		r := counselling.CallbackRequest{CounsellorID: "maren", OfficeID: 1, ExpiresAt: counselling.CallbackExpiry(cbDay, tc.hours)}
		if got := r.ExpiresAt.Sub(cbDay); got != tc.after {
			t.Errorf("%d hours: expires after %v, want %v", tc.hours, got, tc.after)
		}
		if counselling.CallbackExpired(r, cbDay.Add(tc.after-time.Second)) || !counselling.MayCallBack(maren, r, cbDay.Add(tc.after-time.Second)) {
			t.Errorf("%d hours: expired a second early", tc.hours)
		}
		if !counselling.CallbackExpired(r, cbDay.Add(tc.after)) || counselling.MayCallBack(maren, r, cbDay.Add(tc.after)) {
			t.Errorf("%d hours: still open when it expires", tc.hours)
		}
	}
	for hours, ok := range map[int]bool{0: false, 1: true, 24: true, 168: true, 169: false} {
		if got := counselling.ValidateCallbackExpiryHours(hours) == nil; got != ok {
			t.Errorf("setting %d hours accepted: %v, want %v", hours, got, ok)
		}
	}
}

func TestMayCallBack(t *testing.T) {
	r := counselling.CallbackRequest{CounsellorID: "maren", OfficeID: 1, ExpiresAt: cbDay.Add(time.Hour)}
	for _, tc := range []struct {
		name string
		c    counselling.Caller
		r    counselling.CallbackRequest
		want bool
	}{
		{"the counsellor asked", maren, r, true},
		{"a colleague", supMia, r, false},
		{"the same id in another office", counselling.Caller{AccountID: "maren", Kind: counselling.KindStaff, Role: counselling.RoleCounsellor, OfficeID: 2}, r, false},
		{"the help-seeker", counselling.Caller{AccountID: "maren", Kind: counselling.KindSeeker, OfficeID: 1}, r, false},
		{"an expired request", maren, counselling.CallbackRequest{CounsellorID: "maren", OfficeID: 1, ExpiresAt: cbDay.Add(time.Hour), Expired: true}, false},
	} {
		if got := counselling.MayCallBack(tc.c, tc.r, cbDay); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestParseCallbackWindow(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	// cbDay is 10:00 UTC, 11:00 in Berlin.
	for _, tc := range []struct {
		from, until string
		loc         *time.Location
		ok          bool
		start       string // in UTC
	}{
		{"", "", time.UTC, true, ""},
		{"14:00", "16:30", time.UTC, true, "14:00"},
		{"09:00", "10:30", time.UTC, true, "09:00"}, // began already, still open
		{"08:00", "09:59", time.UTC, false, ""},     // over
		{"16:00", "14:00", time.UTC, false, ""},     // ends before it starts
		{"14:00", "", time.UTC, false, ""},
		{"2pm", "4pm", time.UTC, false, ""},
		{"25:00", "26:00", time.UTC, false, ""},
		{"14:00", "16:30", berlin, true, "13:00"}, // Berlin time
		{"10:00", "10:59", berlin, false, ""},     // over in Berlin, though not yet in UTC
		{"10:30", "11:30", berlin, true, "09:30"}, // began already in Berlin
		{"14:00", "16:30", nil, true, "14:00"},    // no zone is UTC
	} {
		start, end, err := counselling.ParseCallbackWindow(tc.from, tc.until, cbDay, tc.loc)
		if (err == nil) != tc.ok {
			t.Errorf("%q-%q in %v: error %v, want ok %v", tc.from, tc.until, tc.loc, err, tc.ok)
			continue
		}
		if err != nil && counselling.ErrorFields(err)["window_from"] == "" {
			t.Errorf("%q-%q: the refusal names no field: %v", tc.from, tc.until, err)
		}
		if tc.start != "" && (start.UTC().Format("15:04") != tc.start || start.YearDay() != cbDay.YearDay() || !end.After(start)) {
			t.Errorf("%q-%q in %v: got %v–%v", tc.from, tc.until, tc.loc, start, end)
		}
	}
	// On the night Berlin's clocks go forward, a window that begins in the
	// skipped hour is refused with the reason.
	night := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)
	_, _, err = counselling.ParseCallbackWindow("02:30", "04:00", night, berlin)
	if msg := counselling.ErrorFields(err)["window_from"]; msg != counselling.ErrorMessage(counselling.ErrOfficeTimeSkipped) {
		t.Errorf("a window from a skipped time: %q", msg)
	}
}

func TestMayInviteNeedsConsentAndASharedTheme(t *testing.T) {
	consent := counselling.ContactConsent{Version: counselling.ContactConsentVersion, GivenAt: cbDay}
	person := func(mod func(*counselling.OutreachCandidate)) counselling.OutreachCandidate {
		p := counselling.OutreachCandidate{SeekerID: "seeker", OfficeID: 1, Consent: consent, Links: []counselling.ContactLink{closedMl, pastChat}}
		if mod != nil {
			mod(&p)
		}
		return p
	}
	only := func(ids ...int64) counselling.CounselledThemes { return counselling.CounselledThemes{IDs: ids} }
	for _, tc := range []struct {
		name  string
		c     counselling.Caller
		p     counselling.OutreachCandidate
		mine  counselling.CounselledThemes
		want  error
		theme int64
	}{
		{"consent, spoken with, all themes", maren, person(nil), counselling.AllThemes, nil, 3},
		{"the shared theme of an older conversation", maren, person(nil), only(2), nil, 2},
		{"no consent", maren, person(func(p *counselling.OutreachCandidate) { p.Consent = counselling.ContactConsent{} }), counselling.AllThemes, counselling.ErrInviteNoConsent, 0},
		{"consent to an older text", maren, person(func(p *counselling.OutreachCandidate) { p.Consent.Version = counselling.ContactConsentVersion - 1 }), counselling.AllThemes, counselling.ErrInviteNoConsent, 0},
		{"never spoken with", supMia, person(nil), counselling.AllThemes, counselling.ErrInviteNoConsent, 0},
		{"another office", counselling.Caller{AccountID: "maren", Kind: counselling.KindStaff, Role: counselling.RoleCounsellor, OfficeID: 2}, person(nil), counselling.AllThemes, counselling.ErrInviteNoConsent, 0},
		{"a guest", maren, person(func(p *counselling.OutreachCandidate) { p.Guest = true }), counselling.AllThemes, counselling.ErrInviteNoConsent, 0},
		{"an admin", adminAnn, person(func(p *counselling.OutreachCandidate) { p.Links[0].CounsellorID = "ann" }), counselling.AllThemes, counselling.ErrInviteNoConsent, 0},
		{"no shared theme", maren, person(nil), only(1), counselling.ErrInviteNoTheme, 0},
	} {
		theme, err := counselling.MayInvite(tc.c, tc.p, tc.mine)
		if err != tc.want || theme != tc.theme {
			t.Errorf("%s: got %d, %v; want %d, %v", tc.name, theme, err, tc.theme, tc.want)
		}
		if see := counselling.MaySeeOnline(tc.c, tc.p); see != (tc.want != counselling.ErrInviteNoConsent) {
			t.Errorf("%s: may see online: %v", tc.name, see)
		}
	}
}

func TestReachRules(t *testing.T) {
	if got := counselling.LatestTheme([]counselling.ContactLink{openMail, pastChat, otherMail}, "maren"); got != 3 {
		t.Errorf("latest theme with maren: %d, want 3", got)
	}
	if counselling.ReachChannel(counselling.ReachVideo) != counselling.ChannelVideo || counselling.ReachChannel(counselling.ReachChat) != counselling.ChannelChat {
		t.Error("a call-back's channel is its kind")
	}
	for kind, ok := range map[string]bool{"chat": true, "video": true, "": false, "phone": false} {
		if (counselling.ValidateReachKind(kind) == nil) != ok {
			t.Errorf("kind %q accepted: %v", kind, !ok)
		}
	}
}
