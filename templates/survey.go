package templates

import (
	"context"
	"slices"
	"strconv"

	"confidant/counselling"
)

// SurveyPanel is a survey form on a page: the questions of one moment, where
// the answers go, and, when the form comes back, what was chosen and what
// was wrong.
type SurveyPanel struct {
	Questions []counselling.SurveyQuestion
	Action    string
	// Pass is a guest's pass (counselling.GuestPass), sent back with the
	// answers since the guest's session has ended with their chat.
	Pass   string
	Chosen map[string][]string
	Form   Form
	// Done: the reader answered just now, and the panel thanks them.
	Done bool
}

var (
	surveyMoments = []counselling.SurveyMoment{counselling.SurveyBeforeChat, counselling.SurveyAfterContact}
	surveyKinds   = []counselling.SurveyKind{counselling.SurveySingle, counselling.SurveyMultiple, counselling.SurveyScale}
)

func surveyInputID(q counselling.SurveyQuestion, v int) string {
	return counselling.SurveyField(q.ID) + "-" + strconv.Itoa(v)
}

func isChosen(chosen map[string][]string, q counselling.SurveyQuestion, v int) bool {
	return slices.Contains(chosen[counselling.SurveyField(q.ID)], strconv.Itoa(v))
}

func hasQuestions(qs []counselling.SurveyQuestion, m counselling.SurveyMoment) bool {
	return slices.ContainsFunc(qs, func(q counselling.SurveyQuestion) bool { return q.Moment == m })
}

// surveyTables are the year report's tables of the survey answers, one per
// question, titled with the question in the reader's language and with its
// options as rows.
func surveyTables(ctx context.Context, tables []counselling.SurveyTable) []StatTable {
	lang := LanguageOf(ctx)
	var out []StatTable
	for _, st := range tables {
		q := st.Question
		t := StatTable{ID: "survey-" + q.ID, Title: Tf(ctx, "Survey: {{.Question}}", "Question", q.Text(lang)),
			Header: []string{T(ctx, "Answer"), T(ctx, "Answers")}}
		for i, label := range st.Tally.Labels {
			if q.Kind != counselling.SurveyScale {
				n, _ := strconv.Atoi(label)
				label = q.OptionText(n, lang)
			}
			t.Rows = append(t.Rows, []string{label, st.Tally.Cells[i].String()})
		}
		t.Rows = append(t.Rows, []string{T(ctx, "Total"), st.Tally.Total.String()})
		out = append(out, t)
	}
	return out
}
