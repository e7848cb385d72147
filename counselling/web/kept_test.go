package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"confidant/counselling"
)

// A counsellor who writes a long reply while a supervisor reassigns the
// conversation does not lose it on "Send": the page shows the text back to
// copy, and nothing reaches the help-seeker.
func TestAReplyToAConversationReassignedMeanwhileIsShownBack(t *testing.T) {
	o := newOffice(t)
	seeker := o.browser()
	seeker.register("Waiting Lark", "larks sing early")
	id := seeker.write("family", "", "My mother is ill.")
	c := o.enrol(counselling.RoleCounsellor, "Slow Writer")
	sup := o.enrol(counselling.RoleSupervisor, "Busy Supervisor")
	c.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	sup.mustPost("/inbox/"+id+"/reassign", url.Values{"to": {""}}, "/inbox")

	text := "A long & careful reply about <illness>, written over an hour."
	p := c.post("/inbox/"+id+"/reply", url.Values{"body": {text}})
	if p.status != http.StatusNotFound || !strings.Contains(p.body, "Your text was not sent") ||
		!strings.Contains(p.body, `readonly aria-describedby="kept-hint">`+html.EscapeString(text)+`</textarea>`) {
		t.Fatalf("the reply to a reassigned conversation: %d, want its text shown back\n%s", p.status, p.body)
	}
	if strings.Contains(seeker.get("/threads/"+id).body, "careful reply") {
		t.Fatal("the reply reached the help-seeker")
	}
	// Without text there is nothing to keep: the usual not-found page.
	if p := c.post("/inbox/"+id+"/close", nil); p.status != http.StatusNotFound || strings.Contains(p.body, "kept-text") {
		t.Fatalf("an action without text: %d", p.status)
	}
}
