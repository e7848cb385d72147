package counselling

import (
	"strings"
)

// Region is one entry of an office's region list. Help-seekers may choose one;
// what is stored (in their profile and in the anonymous facts) is the entry's
// slug, never text they typed, so nothing a person writes can reach the
// statistics. Like a theme, an entry is renamed or retired but never deleted:
// its slug stays in the facts of the years it was chosen.
type Region struct {
	ID       int64
	OfficeID int64
	Slug     string
	Name     string
	Retired  bool
}

// RegionList is an office's regions, retired ones included, in the order they
// are offered.
type RegionList []Region

// Active is the entries a help-seeker may choose now.
func (l RegionList) Active() []Region {
	var out []Region
	for _, r := range l {
		if !r.Retired {
			out = append(out, r)
		}
	}
	return out
}

// Asks reports whether the office asks for a region at all: only when it has
// at least one entry that is not retired.
func (l RegionList) Asks() bool { return len(l.Active()) > 0 }

// Entry finds the entry with the slug, retired or not.
func (l RegionList) Entry(slug string) (Region, bool) {
	for _, r := range l {
		if r.Slug == slug && slug != "" {
			return r, true
		}
	}
	return Region{}, false
}

// Choose decides what a posted region value means: the slug of an active
// entry, given either as its slug or as its name (trimmed, ignoring case, so
// that a person or script posting the visible text is understood), or "" for
// "not given". An office that asks for no region (an empty or all-retired
// list) takes nothing from the field, whatever was posted. Any other value is
// refused, so free text can never be stored.
func (l RegionList) Choose(posted string) (string, error) {
	if !l.Asks() {
		return "", nil
	}
	v := strings.TrimSpace(posted)
	if v == "" {
		return "", nil
	}
	for _, r := range l.Active() {
		if r.Slug == v || strings.EqualFold(strings.TrimSpace(r.Name), v) {
			return r.Slug, nil
		}
	}
	return "", FieldError("region", "Please choose one of the regions in the list, or leave it empty.")
}

// FactRegion is what a new anonymous fact records for a profile's stored
// region: the entry's slug when it is an entry of the list, else "" (not
// given). A stored value that is not an entry (such as text kept from before
// regions were a list) never reaches the facts.
func (l RegionList) FactRegion(stored string) string {
	if r, ok := l.Entry(stored); ok {
		return r.Slug
	}
	return ""
}

// Name is the entry's name for a stored slug, or "" when the slug is not an
// entry.
func (l RegionList) Name(slug string) string {
	r, _ := l.Entry(slug)
	return r.Name
}
