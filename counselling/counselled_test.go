package counselling_test

import (
	"fmt"
	"strings"
	"testing"

	"confidant/counselling"
)

var officeThemes = []counselling.Theme{
	{ID: 1, Slug: "family"}, {ID: 2, Slug: "anxiety"}, {ID: 3, Slug: "loneliness"}, {ID: 4, Slug: "old", Retired: true},
}

func TestChooseCounselledThemes(t *testing.T) {
	for _, tc := range []struct {
		slugs []string
		want  string // the choice, or the error field's message
	}{
		{[]string{"family"}, "[1]"},
		{[]string{"loneliness", "family", "family"}, "[1 3]"},
		// Every theme in use is all themes, those added later included.
		{[]string{"family", "anxiety", "loneliness"}, "all"},
		{nil, "Please choose at least one theme you counsel."},
		{[]string{"family", "unknown"}, "Please choose only themes from the office's list."},
		// A retired theme is no longer offered, so nobody chooses it.
		{[]string{"old"}, "Please choose only themes from the office's list."},
	} {
		got, err := counselling.ChooseCounselledThemes(tc.slugs, officeThemes)
		s := fmt.Sprint(got.IDs)
		if got.All {
			s = "all"
		}
		if err != nil {
			s = counselling.ErrorFields(err)["themes"]
		}
		if s != tc.want {
			t.Errorf("choose %v: %s, want %s", tc.slugs, s, tc.want)
		}
	}
}

func TestThemesAvailable(t *testing.T) {
	family := counselling.CounselledThemes{IDs: []int64{1}}
	anxious := counselling.CounselledThemes{IDs: []int64{2, 3}}
	for _, tc := range []struct {
		name      string
		available []counselling.CounselledThemes
		want      string
	}{
		{"nobody available", nil, ""},
		{"one counsels family", []counselling.CounselledThemes{family}, "1"},
		{"two with their themes", []counselling.CounselledThemes{family, anxious}, "1 2 3"},
		{"one counsels all", []counselling.CounselledThemes{counselling.AllThemes}, "1 2 3 4"},
		{"a choice of none counsels nothing", []counselling.CounselledThemes{{}}, ""},
	} {
		got := counselling.ThemesAvailable(officeThemes, tc.available)
		var ids []string
		for _, th := range officeThemes {
			if got[th.ID] {
				ids = append(ids, fmt.Sprint(th.ID))
			}
		}
		if s := strings.Join(ids, " "); s != tc.want {
			t.Errorf("%s: available for %q, want %q", tc.name, s, tc.want)
		}
	}
}

func TestLiveQueueForPutsTheCounsellorsThemesAndStrandedChatsFirst(t *testing.T) {
	queue := []counselling.LiveQueueItem{{ID: "a", ThemeID: 1}, {ID: "b", ThemeID: 2}, {ID: "c", ThemeID: 3}, {ID: "d", ThemeID: 1}}
	family := counselling.CounselledThemes{IDs: []int64{1}}
	anxiety := counselling.CounselledThemes{IDs: []int64{2}}
	for _, tc := range []struct {
		name      string
		mine      counselling.CounselledThemes
		available []counselling.CounselledThemes
		first     string
		rest      string
	}{
		{"nobody available: every chat is for everyone", family, nil, "a b c d", ""},
		{"only I am available: I see all first", family, []counselling.CounselledThemes{family}, "a b c d", ""},
		{"anxiety has its counsellor, loneliness has none", family, []counselling.CounselledThemes{family, anxiety}, "a c d", "b"},
		{"away, I still see my themes and the stranded first", family, []counselling.CounselledThemes{anxiety}, "a c d", "b"},
		{"the anxiety counsellor", anxiety, []counselling.CounselledThemes{family, anxiety}, "b c", "a d"},
		{"all themes: everything first", counselling.AllThemes, []counselling.CounselledThemes{family, anxiety}, "a b c d", ""},
	} {
		first, rest := counselling.LiveQueueFor(queue, tc.mine, tc.available)
		if f, r := ids(first), ids(rest); f != tc.first || r != tc.rest {
			t.Errorf("%s: first %q rest %q, want %q and %q", tc.name, f, r, tc.first, tc.rest)
		}
	}
}

func ids(items []counselling.LiveQueueItem) string {
	var out []string
	for _, q := range items {
		out = append(out, q.ID)
	}
	return strings.Join(out, " ")
}
