package live

import (
	"sync"
	"time"

	"confidant/counselling"
)

// Availability keeps, in memory, which counsellors said "I'm available" and
// whether they still are by the domain's rule (counselling.StillAvailable):
// their live tabs and their last activity. After a restart everyone is away
// until they switch on again.
type Availability struct {
	clock counselling.Clock
	mu    sync.Mutex
	staff map[string]*staffPresence
	tabs  map[string]int // open live tabs per account, available or not
}

type staffPresence struct {
	officeID int64
	p        counselling.Presence
	themes   counselling.CounselledThemes
}

// NewAvailability returns a tracker that reads the time from clock.
func NewAvailability(clock counselling.Clock) *Availability {
	return &Availability{clock: clock, staff: map[string]*staffPresence{}, tabs: map[string]int{}}
}

// Set switches a counsellor available, for the themes they counsel, or away.
func (a *Availability) Set(officeID int64, accountID string, on bool, themes counselling.CounselledThemes) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !on {
		delete(a.staff, accountID)
		return
	}
	now := a.clock.Now()
	p := counselling.Presence{Tabs: a.tabs[accountID], ActiveAt: now}
	if p.Tabs == 0 {
		// Switched on from a page without a live tab yet: the grace for a
		// tab to appear starts now.
		p.TabsGoneAt = now
	}
	a.staff[accountID] = &staffPresence{officeID: officeID, p: p, themes: themes}
}

// SetThemes changes the themes of a counsellor who is available, when they
// choose other themes on their settings page.
func (a *Availability) SetThemes(accountID string, themes counselling.CounselledThemes) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if s := a.staff[accountID]; s != nil {
		s.themes = themes
	}
}

// Touch records that a counsellor did something.
func (a *Availability) Touch(accountID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if s := a.staff[accountID]; s != nil {
		s.p.ActiveAt = a.clock.Now()
	}
}

// TabOpened records a live tab of the counsellor's (the queue page's socket).
func (a *Availability) TabOpened(accountID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tabs[accountID]++
	if s := a.staff[accountID]; s != nil {
		s.p.Tabs = a.tabs[accountID]
		s.p.TabsGoneAt = time.Time{}
	}
}

// TabClosed records that a live tab went.
func (a *Availability) TabClosed(accountID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tabs[accountID] > 0 {
		a.tabs[accountID]--
	}
	n := a.tabs[accountID]
	if n == 0 {
		delete(a.tabs, accountID)
	}
	if s := a.staff[accountID]; s != nil {
		s.p.Tabs = n
		if n == 0 {
			s.p.TabsGoneAt = a.clock.Now()
		}
	}
}

// IsAvailable reports whether the counsellor is available now.
func (a *Availability) IsAvailable(accountID string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.still(accountID)
}

// AnyoneIn reports whether someone of the office is available now, and never
// who.
func (a *Availability) AnyoneIn(officeID int64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for id, s := range a.staff {
		if s.officeID == officeID && a.still(id) {
			return true
		}
	}
	return false
}

// Themes lists the themes of each counsellor of the office who is available
// now, in no particular order and without saying whose they are.
func (a *Availability) Themes(officeID int64) []counselling.CounselledThemes {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []counselling.CounselledThemes
	for id, s := range a.staff {
		if s.officeID == officeID && a.still(id) {
			out = append(out, s.themes)
		}
	}
	return out
}

// still applies the domain's rule, forgetting those it switched off.
func (a *Availability) still(accountID string) bool {
	s := a.staff[accountID]
	if s == nil {
		return false
	}
	if !counselling.StillAvailable(s.p, a.clock.Now()) {
		delete(a.staff, accountID)
		return false
	}
	return true
}
