package counselling

import (
	"fmt"
	"slices"
	"testing"
)

// sessions makes n rated conversations, newest first, whose scores are given
// by score(i).
func sessions(n int, score func(i int) int) []RatedSession {
	out := make([]RatedSession, n)
	for i := range out {
		out[i] = RatedSession{ThreadID: fmt.Sprintf("t%02d", i), Score: score(i)}
	}
	return out
}

// poorFirst makes n conversations of which the first poor are rated 1.
func poorFirst(n, poor int) []RatedSession {
	return sessions(n, func(i int) int {
		if i < poor {
			return 1
		}
		return 4
	})
}

func TestSampleForSupervision(t *testing.T) {
	def := DefaultQualitySettings // 20 sessions, more than 30 %, 3 sampled
	supervised := poorFirst(20, 7)
	supervised[0].Supervised = true
	for _, tc := range []struct {
		name    string
		recent  []RatedSession
		s       QualitySettings
		pending bool
		want    []string
	}{
		{"too few ratings to judge, all poor", poorFirst(19, 19), def, false, nil},
		{"no ratings", nil, def, false, nil},
		{"exactly the threshold (6 of 20 = 30 %) is not above it", poorFirst(20, 6), def, false, nil},
		{"one above the threshold (7 of 20) samples the newest poor ones", poorFirst(20, 7), def, false, []string{"t00", "t01", "t02"}},
		{"all poor", poorFirst(20, 20), def, false, []string{"t00", "t01", "t02"}},
		{"none poor", poorFirst(20, 0), def, false, nil},
		{"a score of 2 is poor", sessions(20, func(i int) int { return 2 }), def, false, []string{"t00", "t01", "t02"}},
		{"a score of 3 is not poor", sessions(20, func(i int) int { return 3 }), def, false, nil},
		{"only the last N count: old poor ratings beyond the window do not", append(poorFirst(20, 0), poorFirst(20, 20)...), def, false, nil},
		{"a sampled item still open stops more sampling", poorFirst(20, 20), def, true, nil},
		{"conversations already in supervision are skipped", supervised, def, false, []string{"t01", "t02", "t03"}},
		{"fewer poor than k: the newest others fill up",
			poorFirst(10, 4), QualitySettings{Window: 10, ThresholdPercent: 30, Sample: 5}, false, []string{"t00", "t01", "t02", "t03", "t04"}},
		{"threshold edge at another window: 3 of 10 at 30 % is not above", poorFirst(10, 3), QualitySettings{Window: 10, ThresholdPercent: 30, Sample: 1}, false, nil},
		{"threshold edge at another window: 4 of 10 at 30 % is above", poorFirst(10, 4), QualitySettings{Window: 10, ThresholdPercent: 30, Sample: 1}, false, []string{"t00"}},
		{"zero settings sample nothing", poorFirst(20, 20), QualitySettings{}, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := SampleForSupervision(tc.recent, tc.s, tc.pending)
			if !slices.Equal(got, tc.want) {
				t.Errorf("sampled %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseQualitySettings(t *testing.T) {
	for _, tc := range []struct {
		window, threshold, sample string
		field                     string
	}{
		{"20", "30", "3", ""},
		{"5", "1", "1", ""},
		{"200", "99", "20", ""},
		{"4", "30", "3", "window"},
		{"201", "30", "3", "window"},
		{"x", "30", "3", "window"},
		{"20", "0", "3", "threshold"},
		{"20", "100", "3", "threshold"},
		{"20", "30", "0", "sample"},
		{"20", "30", "21", "sample"},
		{"5", "30", "6", "sample"},
	} {
		s, err := ParseQualitySettings(tc.window, tc.threshold, tc.sample)
		if tc.field == "" {
			if err != nil {
				t.Errorf("%v: %v", tc, err)
			}
			continue
		}
		if ErrorFields(err)[tc.field] == "" {
			t.Errorf("%v: got %+v, %v; want a problem with %s", tc, s, err, tc.field)
		}
	}
}

func TestMayCloseSupervision(t *testing.T) {
	sup := Caller{AccountID: "s", Kind: KindStaff, Role: RoleSupervisor, OfficeID: 1}
	for _, tc := range []struct {
		name       string
		c          Caller
		office     int64
		counsellor string
		want       bool
	}{
		{"a supervisor of the office", sup, 1, "c", true},
		{"a supervisor of another office", sup, 2, "c", false},
		{"the supervisor the item is about", sup, 1, "s", false},
		{"a counsellor", Caller{AccountID: "c2", Kind: KindStaff, Role: RoleCounsellor, OfficeID: 1}, 1, "c", false},
		{"an admin", Caller{AccountID: "a", Kind: KindStaff, Role: RoleAdmin, OfficeID: 1}, 1, "c", false},
	} {
		if got := MayCloseSupervision(tc.c, tc.office, tc.counsellor); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
