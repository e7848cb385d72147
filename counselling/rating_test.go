package counselling

import (
	"slices"
	"strings"
	"testing"
)

func TestParseRating(t *testing.T) {
	for _, tc := range []struct {
		score, comment string
		field          string
		want           int
	}{
		{"1", "", "", 1},
		{"5", "  thank you ", "", 5},
		{" 3 ", "", "", 3},
		{"0", "", "score", 0},
		{"6", "", "score", 0},
		{"-1", "", "score", 0},
		{"", "", "score", 0},
		{"four", "", "score", 0},
		{"2.5", "", "score", 0},
		{"4", strings.Repeat("x", CommentMaxRunes+1), "comment", 0},
		{"4", "bell\x07", "comment", 0},
	} {
		r, err := ParseRating(RatingBySeeker, tc.score, tc.comment)
		if tc.field != "" {
			if ErrorFields(err)[tc.field] == "" {
				t.Errorf("%q %q: got %+v, %v; want a problem with %s", tc.score, tc.comment, r, err, tc.field)
			}
			continue
		}
		if err != nil || r.Score != tc.want || r.Comment != strings.TrimSpace(tc.comment) {
			t.Errorf("%q %q: got %+v, %v", tc.score, tc.comment, r, err)
		}
	}
}

func TestRateable(t *testing.T) {
	for _, tc := range []struct {
		status, counsellor string
		want               bool
	}{
		{StatusClosed, "c", true},
		{StatusAssigned, "c", false},
		{StatusOpen, "", false},
		{StatusClosed, "", false}, // a chat that ended before anyone accepted it
	} {
		if got := Rateable(tc.status, tc.counsellor); got != tc.want {
			t.Errorf("Rateable(%q, %q) = %v, want %v", tc.status, tc.counsellor, got, tc.want)
		}
	}
}

func TestRatingsVisible(t *testing.T) {
	seeker := Caller{AccountID: "h", Kind: KindSeeker, OfficeID: 1}
	holder := Caller{AccountID: "c", Kind: KindStaff, Role: RoleCounsellor, OfficeID: 1}
	sup := Caller{AccountID: "s", Kind: KindStaff, Role: RoleSupervisor, OfficeID: 1}
	admin := Caller{AccountID: "a", Kind: KindStaff, Role: RoleAdmin, OfficeID: 1}
	both := []RatingSide{RatingBySeeker, RatingByCounsellor}
	for _, tc := range []struct {
		name       string
		c          Caller
		counsellor string
		want       []RatingSide
	}{
		{"the help-seeker sees only their own", seeker, "c", []RatingSide{RatingBySeeker}},
		{"the counsellor sees only their own", holder, "c", []RatingSide{RatingByCounsellor}},
		{"a supervisor who does not hold it sees both", sup, "c", both},
		{"a supervisor who holds it sees only their own", sup, "s", []RatingSide{RatingByCounsellor}},
		{"a counsellor who does not hold it sees none", holder, "other", nil},
		{"an admin sees none", admin, "c", nil},
	} {
		if got := RatingsVisible(tc.c, tc.counsellor); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
