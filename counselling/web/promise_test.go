package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"confidant/counselling"
)

// Help-seekers are told one answer time, the promise their enquiry's due time
// counts with, in their language, wherever it is said: the start page, the
// help page, live chat and the thread page.
func TestHelpSeekersAreToldTheOfficesOwnPromise(t *testing.T) {
	o := newOffice(t)
	admin := o.enrol(counselling.RoleAdmin, "Promise Admin")
	admin.mustPost("/admin/workday", url.Values{"time_zone": {"Europe/Berlin"}, "promise_amount": {"10"}, "promise_unit": {"working-days"},
		"opens_1": {"09:00"}, "closes_1": {"17:00"}}, "/admin/workday?done=saved")
	if strings.Contains(admin.get("/admin/settings").body, `name="answer_time"`) {
		t.Error("the settings still offer a second, free-text answer time")
	}
	seeker := o.browser()
	seeker.register("Patient Fox", "foxes wait for dusk")
	id := seeker.write("family", "", "Is anyone there?")
	for path, body := range map[string]string{
		"/": o.browser().get("/").body, "/help": seeker.get("/help").body, "/live": seeker.get("/live").body, "/threads/" + id: seeker.get("/threads/" + id).body,
	} {
		if !strings.Contains(body, "within 10 working days") || strings.Contains(body, "within 2 working days") {
			t.Errorf("%s does not tell the office's promise of 10 working days", path)
		}
	}
	req, _ := http.NewRequest("GET", o.srv.URL+"/help", nil)
	req.Header.Set("Accept-Language", "de")
	if p := o.browser().do(req); !strings.Contains(p.body, "innerhalb von 10 Werktagen") {
		t.Error("the German help page does not tell the promise in German")
	}
	admin.mustPost("/admin/workday", url.Values{"time_zone": {"Europe/Berlin"}, "promise_amount": {"1"}, "promise_unit": {"hours"},
		"opens_1": {"09:00"}, "closes_1": {"17:00"}}, "/admin/workday?done=saved")
	if p := seeker.get("/help"); !strings.Contains(p.body, "within 1 hour.") {
		t.Error("a promise of one hour is not told as such")
	}
}
