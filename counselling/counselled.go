package counselling

import "slices"

// Counsellors and supervisors each counsel some of their office's themes:
// all of them unless they chose fewer on their settings page. Live chat uses
// it twice. A help-seeker sees, per theme, whether someone available now
// counsels it (never who); and a counsellor's live queue lists first the
// waiting chats they are meant for.

// CounselledThemes is which themes a counsellor counsels: every theme of the
// office (All, themes added later included), or the listed ones.
type CounselledThemes struct {
	All bool
	IDs []int64
}

// AllThemes is what a counsellor counsels until they choose.
var AllThemes = CounselledThemes{All: true}

// Covers reports whether the theme is one the counsellor counsels.
func (c CounselledThemes) Covers(themeID int64) bool {
	return c.All || slices.Contains(c.IDs, themeID)
}

// ChooseCounselledThemes checks a counsellor's choice of theme slugs against
// the office's themes. Nobody counsels no theme, so an empty choice is
// refused; a choice of every theme in use is All, so that a theme the office
// adds later is counselled too, as it would be without a choice.
func ChooseCounselledThemes(slugs []string, office []Theme) (CounselledThemes, error) {
	if len(slugs) == 0 {
		return CounselledThemes{}, FieldError("themes", "Please choose at least one theme you counsel.")
	}
	var out CounselledThemes
	for _, slug := range slugs {
		i := slices.IndexFunc(office, func(t Theme) bool { return t.Slug == slug && !t.Retired })
		if i < 0 {
			return CounselledThemes{}, FieldError("themes", "Please choose only themes from the office's list.")
		}
		if !slices.Contains(out.IDs, office[i].ID) {
			out.IDs = append(out.IDs, office[i].ID)
		}
	}
	inUse := 0
	for _, t := range office {
		if !t.Retired {
			inUse++
		}
	}
	if len(out.IDs) == inUse {
		return AllThemes, nil
	}
	slices.Sort(out.IDs)
	return out, nil
}

// ThemesAvailable is, per theme, whether one of the counsellors available
// now counsels it. It takes their themes and never their names, so nothing
// built from it can say who is there.
func ThemesAvailable(themes []Theme, available []CounselledThemes) map[int64]bool {
	out := make(map[int64]bool, len(themes))
	for _, t := range themes {
		if anyCovers(available, t.ID) {
			out[t.ID] = true
		}
	}
	return out
}

// LiveQueueFor splits the live queue for one counsellor, keeping its order
// (oldest first) in both parts. First come the chats of themes the
// counsellor counsels, and the chats that no available counsellor counsels:
// a chat must never strand because its theme is nobody's, so every
// counsellor is meant for those. The rest follow, still shown and still
// open to accept: being available is not being free (the counsellor of that
// theme may be in another chat), and a person in distress waits less if
// anyone can take them.
func LiveQueueFor(items []LiveQueueItem, mine CounselledThemes, available []CounselledThemes) (first, rest []LiveQueueItem) {
	for _, q := range items {
		if mine.Covers(q.ThemeID) || !anyCovers(available, q.ThemeID) {
			first = append(first, q)
		} else {
			rest = append(rest, q)
		}
	}
	return first, rest
}

func anyCovers(available []CounselledThemes, themeID int64) bool {
	for _, a := range available {
		if a.Covers(themeID) {
			return true
		}
	}
	return false
}
