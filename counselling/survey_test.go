package counselling_test

import (
	"testing"

	"confidant/counselling"
)

var (
	mood = counselling.SurveyQuestion{ID: "mood", Moment: counselling.SurveyAfterContact, Kind: counselling.SurveyScale,
		Texts: map[string]string{"en": "How do you feel now?"}}
	heard = counselling.SurveyQuestion{ID: "heard", Moment: counselling.SurveyAfterContact, Kind: counselling.SurveySingle,
		Texts: map[string]string{"en": "Did you feel heard?"}, Options: []map[string]string{{"en": "Yes"}, {"en": "Partly"}, {"en": "No"}}}
	found = counselling.SurveyQuestion{ID: "found", Moment: counselling.SurveyAfterContact, Kind: counselling.SurveyMultiple,
		Texts: map[string]string{"en": "How did you find us?"}, Options: []map[string]string{{"en": "School"}, {"en": "Friends"}, {"en": "Online"}}}
	retired = counselling.SurveyQuestion{ID: "old", Moment: counselling.SurveyAfterContact, Kind: counselling.SurveyScale, Retired: true,
		Texts: map[string]string{"en": "An old question"}}
	asked = []counselling.SurveyQuestion{mood, heard, found, retired}
)

func ans(id string, v int) counselling.SurveyAnswer {
	return counselling.SurveyAnswer{QuestionID: id, Value: v}
}

// TestParseSurveyAnswers: answers name a question asked and a value it
// offers; anything else is refused whole, so nothing is kept.
func TestParseSurveyAnswers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		form  map[string][]string
		want  []counselling.SurveyAnswer
		field string // the field refused; "form" for a refusal of the whole survey
	}{
		{"nothing answered is fine", map[string][]string{"theme": {"family"}}, nil, ""},
		{"empty values are unanswered", map[string][]string{"q-mood": {""}, "q-heard": {" "}}, nil, ""},
		{"scale lowest", map[string][]string{"q-mood": {"1"}}, []counselling.SurveyAnswer{ans("mood", 1)}, ""},
		{"scale highest", map[string][]string{"q-mood": {"5"}}, []counselling.SurveyAnswer{ans("mood", 5)}, ""},
		{"scale below", map[string][]string{"q-mood": {"0"}}, nil, "q-mood"},
		{"scale above", map[string][]string{"q-mood": {"6"}}, nil, "q-mood"},
		{"scale not a number", map[string][]string{"q-mood": {"good"}}, nil, "q-mood"},
		{"one choice", map[string][]string{"q-heard": {"3"}}, []counselling.SurveyAnswer{ans("heard", 3)}, ""},
		{"an option not offered", map[string][]string{"q-heard": {"4"}}, nil, "q-heard"},
		{"option zero", map[string][]string{"q-heard": {"0"}}, nil, "q-heard"},
		{"two choices for one", map[string][]string{"q-heard": {"1", "2"}}, nil, "q-heard"},
		{"several choices", map[string][]string{"q-found": {"1", "3"}}, []counselling.SurveyAnswer{ans("found", 1), ans("found", 3)}, ""},
		{"a choice twice counts once", map[string][]string{"q-found": {"2", "2"}}, []counselling.SurveyAnswer{ans("found", 2)}, ""},
		{"several with one not offered", map[string][]string{"q-found": {"1", "9"}}, nil, "q-found"},
		{"a question that does not exist", map[string][]string{"q-nope": {"1"}, "q-mood": {"3"}}, nil, "form"},
		{"a retired question", map[string][]string{"q-old": {"3"}}, nil, "form"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := counselling.ParseSurveyAnswers(asked, tc.form)
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.field == "form":
				if err != counselling.ErrNoSuchQuestion {
					t.Fatalf("got %v, want the refusal of an unknown question", err)
				}
			case tc.field != "":
				if counselling.ErrorFields(err)[tc.field] == "" {
					t.Fatalf("got %v, want a problem with %s", err, tc.field)
				}
			}
			if tc.field != "" && got != nil {
				t.Fatalf("answers kept from a refused survey: %v", got)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("answers %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("answers %v, want %v", got, tc.want)
				}
			}
			if err := counselling.CheckSurveyAnswers(asked, got); err != nil {
				t.Fatalf("the store would refuse what the form accepted: %v", err)
			}
		})
	}
}

func TestCheckSurveyAnswers(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    counselling.SurveyAnswer
		ok   bool
	}{
		{"scale 5", ans("mood", 5), true},
		{"scale 6", ans("mood", 6), false},
		{"option 3 of 3", ans("heard", 3), true},
		{"option 4 of 3", ans("heard", 4), false},
		{"unknown question", ans("nope", 1), false},
		{"retired question", ans("old", 1), false},
	} {
		if err := counselling.CheckSurveyAnswers(asked, []counselling.SurveyAnswer{tc.a}); (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func questionForm(moment, kind string, options string) counselling.SurveyQuestionForm {
	f := counselling.SurveyQuestionForm{Moment: moment, Kind: kind, Texts: map[string]string{}, Options: map[string]string{}}
	for _, lang := range counselling.SurveyLanguages {
		f.Texts[lang] = "Question " + lang
		f.Options[lang] = options
	}
	return f
}

// TestParseSurveyQuestion: a question is written in every language; a choice
// question has 2 to 10 options, the same number in each; a change keeps
// moment and kind and takes no option away.
func TestParseSurveyQuestion(t *testing.T) {
	ok := func(f counselling.SurveyQuestionForm, prev *counselling.SurveyQuestion) counselling.SurveyQuestion {
		t.Helper()
		q, err := counselling.ParseSurveyQuestion(f, prev)
		if err != nil {
			t.Fatalf("refused %+v: %v", f, err)
		}
		return q
	}
	refused := func(name string, f counselling.SurveyQuestionForm, prev *counselling.SurveyQuestion, field string) {
		t.Helper()
		if _, err := counselling.ParseSurveyQuestion(f, prev); counselling.ErrorFields(err)[field] == "" {
			t.Errorf("%s: got %v, want a problem with %s", name, err, field)
		}
	}
	scale := ok(questionForm("after-contact", "scale", "ignored\nlines"), nil)
	if len(scale.Options) != 0 || scale.Texts["nl"] != "Question nl" || len(scale.Values()) != 5 {
		t.Errorf("scale question %+v", scale)
	}
	choice := ok(questionForm("before-chat", "single", "Yes\n\n No \n"), nil)
	if len(choice.Options) != 2 || choice.OptionText(2, "da") != "No" || choice.OptionText(3, "da") != "" {
		t.Errorf("choice question %+v", choice)
	}
	ten := ok(questionForm("before-chat", "multiple", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10"), nil)
	if len(ten.Values()) != 10 {
		t.Errorf("ten options: %v", ten.Values())
	}

	refused("no moment", questionForm("", "scale", ""), nil, "moment")
	refused("odd moment", questionForm("during-chat", "scale", ""), nil, "moment")
	refused("odd kind", questionForm("before-chat", "free-text", ""), nil, "kind")
	noDutch := questionForm("before-chat", "scale", "")
	noDutch.Texts["nl"] = "  "
	refused("a language left out", noDutch, nil, "text_nl")
	refused("one option", questionForm("before-chat", "single", "Only"), nil, "options_en")
	refused("eleven options", questionForm("before-chat", "multiple", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11"), nil, "options_en")
	uneven := questionForm("before-chat", "single", "Yes\nNo")
	uneven.Options["de"] = "Ja\nNein\nVielleicht"
	refused("more options in German", uneven, nil, "options_de")
	long := questionForm("before-chat", "scale", "")
	long.Texts["en"] = string(make([]rune, counselling.SurveyTextMaxRunes+1))
	refused("a text too long", long, nil, "text_en")

	// A change keeps moment and kind, rewords and adds options, and takes
	// none away.
	three := ok(questionForm("after-contact", "single", "A\nB\nC"), nil)
	three.ID = "q1"
	changed := ok(questionForm("before-chat", "scale", "A2\nB2\nC2\nD2"), &three)
	if changed.Moment != counselling.SurveyAfterContact || changed.Kind != counselling.SurveySingle || len(changed.Options) != 4 ||
		changed.ID != "q1" || changed.OptionText(1, "en") != "A2" {
		t.Errorf("changed question %+v", changed)
	}
	refused("an option taken away", questionForm("after-contact", "single", "A\nB"), &three, "options_en")
}

// TestSurveyTablesSuppressSmallCells: the survey tables follow the year
// report's rule: a count below MinCell reads "<5", and a line never has a
// single hidden cell that its total gives away.
func TestSurveyTablesSuppressSmallCells(t *testing.T) {
	tables := counselling.BuildSurveyTables(asked, map[string]map[int]int{
		"mood":  {1: 2, 4: 9, 5: 12},
		"heard": {1: 3},
		"old":   {2: 7},
	})
	if len(tables) != 4 {
		t.Fatalf("%d tables, want the three asked and the retired one answered this year", len(tables))
	}
	m := tables[0].Tally
	if m.Labels[0] != "1" || len(m.Cells) != 5 || m.Cells[0].String() != "<5" || m.Cells[3].String() != "9" ||
		m.Cells[4].String() != "12" || m.Total.String() != "23" {
		t.Errorf("scale table %+v", m)
	}
	for i, c := range m.Cells {
		if c.N < counselling.MinCell && !c.Hidden {
			t.Errorf("cell %d (%d) shown", i, c.N)
		}
	}
	hidden := 0
	for _, c := range m.Cells {
		if c.Hidden {
			hidden++
		}
	}
	if hidden < 2 {
		t.Errorf("only %d hidden cells beside a shown total: the hidden one can be worked out", hidden)
	}
	if h := tables[1].Tally; h.Total.String() != "<5" || h.Cells[0].String() != "<5" {
		t.Errorf("three answers in all are shown: %+v", h)
	}
	if f := tables[2].Tally; f.Total.N != 0 || len(f.Cells) != 3 {
		t.Errorf("unanswered question %+v", f)
	}
	if tables[3].Question.ID != "old" || tables[3].Tally.Cells[1].String() != "7" {
		t.Errorf("retired question's table %+v", tables[3])
	}
	if n := len(counselling.BuildSurveyTables([]counselling.SurveyQuestion{retired}, nil)); n != 0 {
		t.Errorf("a retired question nobody answered this year has %d tables", n)
	}
}
