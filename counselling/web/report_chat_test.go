package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"confidant/counselling"
)

// chatFor runs one guest chat through the live queue: it waits, a counsellor
// accepts it, it runs, the counsellor ends it.
func chatFor(t *testing.T, o *office, c *staffMember, waits, runs time.Duration) {
	t.Helper()
	_, id := startGuestChat(t, o, "family")
	pass := func(d time.Duration) {
		// The counsellor keeps working meanwhile, so their session stays.
		for step := 5 * time.Minute; d > 0; d -= step {
			o.db.Clock.Advance(min(step, d))
			c.get("/live/queue")
		}
	}
	pass(waits)
	c.mustPost("/live/"+id+"/accept", nil, "/live/"+id)
	pass(runs)
	c.mustPost("/live/"+id+"/end", nil, "/live/"+id)
}

func TestYearReportShowsChatWaitingTimeAndDuration(t *testing.T) {
	o := newOffice(t)
	c := o.enrol(counselling.RoleCounsellor, "Chat Counsellor")
	// Six chats wait two minutes and run twenty; one waits twenty minutes
	// and runs five: too few to show.
	for range 6 {
		chatFor(t, o, c, 2*time.Minute, 20*time.Minute)
	}
	chatFor(t, o, c, 20*time.Minute, 5*time.Minute)

	admin := o.enrol(counselling.RoleAdmin, "Report Reader")
	year := strconv.Itoa(o.db.Clock.Now().Year())
	page := admin.get("/admin/statistics?year=" + year)
	if page.status != http.StatusOK {
		t.Fatalf("statistics: %d", page.status)
	}
	tabs := tables(t, page.body)
	want := map[string][][]string{
		"chat-wait": {
			{"Waited", "Contacts"},
			{"less than 1 minute", "<5"}, {"1 to 5 minutes", "6"}, {"5 to 15 minutes", "<5"},
			{"15 to 60 minutes", "<5"}, {"more than 1 hour", "<5"}, {"Total", "7"},
		},
		"chat-duration": {
			{"Duration", "Contacts"},
			{"less than 10 minutes", "<5"}, {"10 to 30 minutes", "6"}, {"30 to 60 minutes", "<5"},
			{"more than 1 hour", "<5"}, {"Total", "7"},
		},
	}
	for id, rows := range want {
		if got, want := fmtRows(tabs[id]), fmtRows(rows); got != want {
			t.Errorf("table %s:\n%s\nwant\n%s", id, got, want)
		}
	}
	// The German page names the tables in German.
	de := admin.get("/admin/statistics?lang=de&year=" + year)
	for _, title := range []string{"Wartezeit bis zum Beginn eines Chats", "Dauer der Chats"} {
		if !strings.Contains(de.body, title) {
			t.Errorf("the German report lacks %q", title)
		}
	}
}

func fmtRows(rows [][]string) string {
	var s string
	for i, r := range rows {
		if i > 0 {
			s += "\n"
		}
		for j, c := range r {
			if j > 0 {
				s += " | "
			}
			s += c
		}
	}
	return s
}
