package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"confidant/counselling"
)

// A counsellor whose account was deleted leaves their replies behind with
// the help-seeker; the page names them as a former counsellor in the
// reader's language, not in English.
func TestAFormerCounsellorIsNamedInTheReadersLanguage(t *testing.T) {
	o := newOffice(t)
	carl := o.enrol(counselling.RoleCounsellor, "Carl Counsellor")
	seeker := o.browser()
	seeker.register("Quiet Harbour", "the harbour is quiet tonight")
	id := seeker.write("family", "", "Nobody at home listens to me.")
	carl.mustPost("/inbox/"+id+"/take", nil, "/inbox/"+id)
	carl.mustPost("/inbox/"+id+"/reply", url.Values{"body": {"I am listening. Tell me more."}}, "/inbox/"+id)
	if _, err := o.db.DeleteAccount(context.Background(), carl.id); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{
		"en": "a former counsellor",
		"de": "Berater*in (nicht mehr im Team)",
		"da": "en tidligere rådgiver",
		"nl": "een voormalige hulpverlener",
	} {
		page := seeker.get("/threads/" + id + "?lang=" + lang).body
		if !strings.Contains(page, "I am listening. Tell me more.") {
			t.Fatalf("%s: the former counsellor's reply is gone", lang)
		}
		if !strings.Contains(page, "<strong>"+want+"</strong>") || strings.Contains(page, "Carl Counsellor") {
			t.Errorf("%s: the reply's author is not named %q", lang, want)
		}
	}
}
