package counselling_test

import (
	"testing"

	"confidant/counselling"
)

func TestReadScope(t *testing.T) {
	for _, tc := range []struct {
		name   string
		caller counselling.Caller
		want   counselling.ThreadScope
	}{
		{"help-seeker reads own threads", counselling.Caller{AccountID: "s1", Kind: counselling.KindSeeker, OfficeID: 1},
			counselling.ThreadScope{SeekerID: "s1"}},
		{"counsellor reads the threads held", counselling.Caller{AccountID: "c1", Kind: counselling.KindStaff, Role: counselling.RoleCounsellor, OfficeID: 1},
			counselling.ThreadScope{OfficeID: 1, AssignedTo: "c1"}},
		{"supervisor also flagged, review, open supervision items and ended chats", counselling.Caller{AccountID: "v1", Kind: counselling.KindStaff, Role: counselling.RoleSupervisor, OfficeID: 2},
			counselling.ThreadScope{OfficeID: 2, AssignedTo: "v1", OrFlagged: true, OrAwaitingReview: true, OrSupervised: true, OrEndedChat: true}},
		{"admin reads no content", counselling.Caller{AccountID: "a1", Kind: counselling.KindStaff, Role: counselling.RoleAdmin, OfficeID: 1},
			counselling.ThreadScope{None: true}},
		{"nobody reads nothing", counselling.Caller{}, counselling.ThreadScope{None: true}},
	} {
		if got := counselling.ReadScope(tc.caller); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestEnquiryValidation(t *testing.T) {
	ok := counselling.Enquiry{Theme: "family", Body: "hello"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]counselling.Enquiry{
		"no theme":      {Body: "hello"},
		"empty body":    {Theme: "family", Body: "  \n "},
		"bad utf-8":     {Theme: "family", Body: "\xff"},
		"control chars": {Theme: "family", Body: "a\x00b"},
	} {
		if err := e.Validate(); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestDraftWithReturned(t *testing.T) {
	rows := []struct {
		name          string
		kept          counselling.Draft
		body, comment string
		want          counselling.Draft
	}{
		{"no draft kept", counselling.Draft{}, "returned", "why", counselling.Draft{Body: "returned", Comment: "why"}},
		{"a draft kept", counselling.Draft{Body: "kept", Comment: "earlier"}, "returned", "why", counselling.Draft{Body: "returned\n\nkept", Comment: "why\n\nearlier"}},
		{"a blank draft adds nothing", counselling.Draft{Body: "  \n"}, "returned", "", counselling.Draft{Body: "returned"}},
		{"returned without a comment keeps the old one", counselling.Draft{Body: "kept", Comment: "earlier"}, "returned", "", counselling.Draft{Body: "returned\n\nkept", Comment: "earlier"}},
	}
	for _, r := range rows {
		if got := r.kept.WithReturned(r.body, r.comment); got != r.want {
			t.Errorf("%s: %+v, want %+v", r.name, got, r.want)
		}
	}
}
