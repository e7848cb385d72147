package live

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"confidant/counselling"
)

// Availability keeps which counsellors said "I'm available" and whether they
// still are by the domain's rule (counselling.StillAvailable): their live tabs
// and their last activity. It keeps them in Shared state, so that on several
// nodes a counsellor who switched on at one is available at all: in memory on
// one node, where after a restart everyone is away until they switch on
// again; in the database on several.
type Availability struct {
	clock  counselling.Clock
	shared Shared
}

// stateTimeout bounds each look at the shared state. Availability answers
// "away" when the state cannot be read in time: nobody is offered a
// counsellor who may not be there.
const stateTimeout = 5 * time.Second

// availability is one available counsellor, as kept under availKey.
type availability struct {
	OfficeID   int64                        `json:"o"`
	ActiveAt   time.Time                    `json:"a"`
	TabsGoneAt time.Time                    `json:"g,omitzero"`
	Themes     counselling.CounselledThemes `json:"t"`
}

func availKey(accountID string) string { return "avail/" + accountID }
func tabKey(accountID string) string   { return "tab/" + accountID }

// NewAvailability returns a tracker that reads the time from clock and keeps
// its state in shared (nil: in memory).
func NewAvailability(clock counselling.Clock, shared Shared) *Availability {
	if shared == nil {
		shared = NewMemoryShared(clock)
	}
	return &Availability{clock: clock, shared: shared}
}

func (a *Availability) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), stateTimeout)
}

func (a *Availability) get(ctx context.Context, accountID string) *availability {
	b, err := a.shared.Get(ctx, availKey(accountID))
	if err != nil || b == nil {
		return nil
	}
	var s availability
	if json.Unmarshal(b, &s) != nil {
		return nil
	}
	return &s
}

func (a *Availability) put(ctx context.Context, accountID string, s *availability) {
	b, _ := json.Marshal(s)
	a.shared.Put(ctx, availKey(accountID), b, 0)
}

// Set switches a counsellor available, for the themes they counsel, or away.
func (a *Availability) Set(officeID int64, accountID string, on bool, themes counselling.CounselledThemes) {
	ctx, cancel := a.ctx()
	defer cancel()
	if !on {
		a.shared.Delete(ctx, availKey(accountID))
		return
	}
	now := a.clock.Now()
	s := &availability{OfficeID: officeID, ActiveAt: now, Themes: themes}
	if tabs, _ := a.shared.Count(ctx, tabKey(accountID)); tabs == 0 {
		// Switched on from a page without a live tab yet: the grace for a
		// tab to appear starts now.
		s.TabsGoneAt = now
	}
	a.put(ctx, accountID, s)
}

// SetThemes changes the themes of a counsellor who is available, when they
// choose other themes on their settings page.
func (a *Availability) SetThemes(accountID string, themes counselling.CounselledThemes) {
	ctx, cancel := a.ctx()
	defer cancel()
	if s := a.get(ctx, accountID); s != nil {
		s.Themes = themes
		a.put(ctx, accountID, s)
	}
}

// Touch records that a counsellor did something.
func (a *Availability) Touch(accountID string) {
	ctx, cancel := a.ctx()
	defer cancel()
	if s := a.get(ctx, accountID); s != nil {
		s.ActiveAt = a.clock.Now()
		a.put(ctx, accountID, s)
	}
}

// TabOpened records a live tab of the counsellor's (the queue page's socket).
func (a *Availability) TabOpened(accountID string) {
	ctx, cancel := a.ctx()
	defer cancel()
	a.shared.Join(ctx, tabKey(accountID))
	if s := a.get(ctx, accountID); s != nil && !s.TabsGoneAt.IsZero() {
		s.TabsGoneAt = time.Time{}
		a.put(ctx, accountID, s)
	}
}

// TabClosed records that a live tab went.
func (a *Availability) TabClosed(accountID string) {
	ctx, cancel := a.ctx()
	defer cancel()
	a.shared.Leave(ctx, tabKey(accountID))
	if n, err := a.shared.Count(ctx, tabKey(accountID)); err == nil && n == 0 {
		if s := a.get(ctx, accountID); s != nil {
			s.TabsGoneAt = a.clock.Now()
			a.put(ctx, accountID, s)
		}
	}
}

// IsAvailable reports whether the counsellor is available now.
func (a *Availability) IsAvailable(accountID string) bool {
	ctx, cancel := a.ctx()
	defer cancel()
	s := a.get(ctx, accountID)
	return s != nil && a.still(ctx, accountID, s)
}

// AnyoneIn reports whether someone of the office is available now, and never
// who.
func (a *Availability) AnyoneIn(officeID int64) bool {
	return len(a.Themes(officeID)) > 0
}

// Themes lists the themes of each counsellor of the office who is available
// now, in no particular order and without saying whose they are.
func (a *Availability) Themes(officeID int64) []counselling.CounselledThemes {
	ctx, cancel := a.ctx()
	defer cancel()
	all, err := a.shared.Scan(ctx, availKey(""))
	if err != nil {
		return nil
	}
	var out []counselling.CounselledThemes
	for key, b := range all {
		var s availability
		if json.Unmarshal(b, &s) != nil || s.OfficeID != officeID {
			continue
		}
		if a.still(ctx, strings.TrimPrefix(key, availKey("")), &s) {
			out = append(out, s.Themes)
		}
	}
	return out
}

// Notice applies the domain's rule to every counsellor who is available, of
// every office, and reports the offices of those it switched off. Run every
// few seconds, it notices soon that the tabs of a node that stopped no
// longer count, even when nobody asks whether that counsellor is available.
func (a *Availability) Notice() []int64 {
	ctx, cancel := a.ctx()
	defer cancel()
	all, err := a.shared.Scan(ctx, availKey(""))
	if err != nil {
		return nil
	}
	var off []int64
	for key, b := range all {
		var s availability
		if json.Unmarshal(b, &s) != nil {
			continue
		}
		if !a.still(ctx, strings.TrimPrefix(key, availKey("")), &s) && !slices.Contains(off, s.OfficeID) {
			off = append(off, s.OfficeID)
		}
	}
	return off
}

// still applies the domain's rule, keeping what it noticed of tabs that
// vanished and forgetting those it switched off.
func (a *Availability) still(ctx context.Context, accountID string, s *availability) bool {
	tabs, err := a.shared.Count(ctx, tabKey(accountID))
	if err != nil {
		return false
	}
	now := a.clock.Now()
	p := counselling.Presence{Tabs: tabs, TabsGoneAt: s.TabsGoneAt, ActiveAt: s.ActiveAt}
	if !counselling.StillAvailable(p, now) {
		a.shared.Delete(ctx, availKey(accountID))
		return false
	}
	if kept := p.Noticed(now); !kept.TabsGoneAt.Equal(s.TabsGoneAt) {
		// Changed in one step with what other nodes change meanwhile: a
		// counsellor who switched away is not switched on again, and a
		// later activity is not undone.
		a.shared.Update(ctx, availKey(accountID), 0, func(old []byte) ([]byte, error) {
			var cur availability
			if old == nil || json.Unmarshal(old, &cur) != nil {
				return old, nil
			}
			cur.TabsGoneAt = kept.TabsGoneAt
			return json.Marshal(&cur)
		})
	}
	return true
}
