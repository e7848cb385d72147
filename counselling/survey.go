package counselling

import (
	"slices"
	"strconv"
	"strings"
)

// Surveys: an office may ask a short anonymous survey before a live chat and
// after any contact (a mail conversation closed, a chat or call ended). Its
// admins write the questions, each in every language the pages speak. Every
// question may be left unanswered, and the whole survey may be skipped.
//
// An answer is kept only as an anonymous fact: the office, the question, the
// year and month, and the value chosen. Nothing links it to the account, the
// conversation, the session or the exact time, and no free text is ever
// asked for, so an answer cannot carry a name either.

// SurveyMoment is when an office asks a question.
type SurveyMoment string

// The two moments of a survey.
const (
	SurveyBeforeChat   SurveyMoment = "before-chat"
	SurveyAfterContact SurveyMoment = "after-contact"
)

// SurveyKind is how a question is answered.
type SurveyKind string

// The kinds of questions.
const (
	SurveySingle   SurveyKind = "single"   // one of the options
	SurveyMultiple SurveyKind = "multiple" // any of the options
	SurveyScale    SurveyKind = "scale"    // a number from 1 to 5
)

// SurveyLanguages are the languages a question is written in: every language
// the pages speak, so that no reader meets a question they cannot read.
var SurveyLanguages = []string{"en", "de", "da", "nl"}

// Limits of a survey, so that it stays short.
const (
	MaxSurveyQuestions   = 8   // per moment
	MaxSurveyOptions     = 10  // per question
	SurveyTextMaxRunes   = 300 // a question's text
	SurveyOptionMaxRunes = 120 // an option's text
	ScaleMax             = 5   // a scale runs from 1 to ScaleMax
)

// SurveyQuestion is one question of an office's survey. Options are numbered
// from 1 in their order; an answer names an option by its number, so an
// option keeps its number when its text changes.
type SurveyQuestion struct {
	ID      string
	Moment  SurveyMoment
	Kind    SurveyKind
	Texts   map[string]string // by language
	Options []map[string]string
	Retired bool
}

// Text is the question in lang, or in English.
func (q SurveyQuestion) Text(lang string) string { return inLanguage(q.Texts, lang) }

// OptionText is option no (from 1) in lang, or in English.
func (q SurveyQuestion) OptionText(no int, lang string) string {
	if no < 1 || no > len(q.Options) {
		return ""
	}
	return inLanguage(q.Options[no-1], lang)
}

// Values are the values an answer to q may have: the option numbers, or the
// points of the scale.
func (q SurveyQuestion) Values() []int {
	n := len(q.Options)
	if q.Kind == SurveyScale {
		n = ScaleMax
	}
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func inLanguage(texts map[string]string, lang string) string {
	if t := texts[lang]; t != "" {
		return t
	}
	return texts["en"]
}

// SurveyField is the form field that carries the answer to a question, and
// the id of its group of choices on the page.
func SurveyField(questionID string) string { return "q-" + questionID }

// SurveyAnswer is one answer: a question and the value chosen (an option's
// number or a point of the scale). A several-choice question answered with
// three options gives three answers.
type SurveyAnswer struct {
	QuestionID string
	Value      int
}

// ErrNoSuchQuestion answers an answer to a question the survey does not ask.
var ErrNoSuchQuestion = Errorf(EInvalid, "This survey has no such question. Please answer the questions shown, or skip the survey.")

// ParseSurveyAnswers reads the answers to the questions asked from a posted
// form: each question's field holds the values chosen. A question left
// unanswered is fine. An answer to a question that is not asked, an option
// not offered, a point outside the scale, or two choices for a one-choice
// question is an error, and then nothing is to be stored.
func ParseSurveyAnswers(asked []SurveyQuestion, form map[string][]string) ([]SurveyAnswer, error) {
	for name := range form {
		id, ok := strings.CutPrefix(name, "q-")
		if !ok {
			continue
		}
		if !slices.ContainsFunc(asked, func(q SurveyQuestion) bool { return q.ID == id && !q.Retired }) {
			return nil, ErrNoSuchQuestion
		}
	}
	p := Problems{}
	var out []SurveyAnswer
	for _, q := range asked {
		field := SurveyField(q.ID)
		var chosen []int
		for _, v := range form[field] {
			if strings.TrimSpace(v) == "" {
				continue
			}
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || !slices.Contains(q.Values(), n) {
				if q.Kind == SurveyScale {
					p.Add(field, "Please choose a number from 1 to 5.")
				} else {
					p.Add(field, "Please choose one of the answers offered.")
				}
				break
			}
			if !slices.Contains(chosen, n) {
				chosen = append(chosen, n)
			}
		}
		if len(chosen) > 1 && q.Kind != SurveyMultiple {
			p.Add(field, "Please choose only one answer to this question.")
		}
		if _, bad := p[field]; bad {
			continue
		}
		for _, n := range chosen {
			out = append(out, SurveyAnswer{QuestionID: q.ID, Value: n})
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// CheckSurveyAnswers is the rule the store applies before it keeps answers:
// each names a question asked at this moment, with a value it offers. It is
// what ParseSurveyAnswers checks, for answers that did not come from a form.
func CheckSurveyAnswers(asked []SurveyQuestion, answers []SurveyAnswer) error {
	for _, a := range answers {
		i := slices.IndexFunc(asked, func(q SurveyQuestion) bool { return q.ID == a.QuestionID && !q.Retired })
		if i < 0 {
			return ErrNoSuchQuestion
		}
		if !slices.Contains(asked[i].Values(), a.Value) {
			return FieldError(SurveyField(a.QuestionID), "Please choose one of the answers offered.")
		}
	}
	return nil
}

// SurveyQuestionForm is what an admin wrote for a question: its moment and
// kind, and per language its text and its options, one per line.
type SurveyQuestionForm struct {
	Moment  string
	Kind    string
	Texts   map[string]string
	Options map[string]string
}

// ParseSurveyQuestion checks a question an admin wrote. The text is needed
// in every language; a choice question needs 2 to MaxSurveyOptions options,
// the same number in every language; a scale has no options. When prev is
// the question being changed, its moment and kind stay, and no option may be
// taken away, because answers already given name options by number.
func ParseSurveyQuestion(f SurveyQuestionForm, prev *SurveyQuestion) (SurveyQuestion, error) {
	p := Problems{}
	q := SurveyQuestion{Moment: SurveyMoment(f.Moment), Kind: SurveyKind(f.Kind), Texts: map[string]string{}}
	if prev != nil {
		q.ID, q.Moment, q.Kind = prev.ID, prev.Moment, prev.Kind
	}
	if q.Moment != SurveyBeforeChat && q.Moment != SurveyAfterContact {
		p.Add("moment", "Please choose when the question is asked.")
	}
	if q.Kind != SurveySingle && q.Kind != SurveyMultiple && q.Kind != SurveyScale {
		p.Add("kind", "Please choose how the question is answered.")
	}
	for _, lang := range SurveyLanguages {
		field := "text_" + lang
		text := strings.TrimSpace(f.Texts[lang])
		if text == "" {
			p.Add(field, "Please write the question in every language.")
			continue
		}
		checkText(p, field, text, SurveyTextMaxRunes, true)
		q.Texts[lang] = text
	}
	if q.Kind == SurveySingle || q.Kind == SurveyMultiple {
		count := -1
		lines := map[string][]string{}
		for _, lang := range SurveyLanguages {
			field := "options_" + lang
			for line := range strings.SplitSeq(f.Options[lang], "\n") {
				if line = strings.TrimSpace(line); line != "" {
					checkText(p, field, line, SurveyOptionMaxRunes, true)
					lines[lang] = append(lines[lang], line)
				}
			}
			n := len(lines[lang])
			switch {
			case n < 2 || n > MaxSurveyOptions:
				p.Add(field, "Please give from 2 to 10 answers, one per line.")
			case count >= 0 && n != count:
				p.Add(field, "Please give the same answers in every language, one per line and in the same order.")
			}
			if count < 0 {
				count = n
			}
		}
		if prev != nil && count >= 0 && count < len(prev.Options) {
			p.Add("options_en", "Answers cannot be taken away from a question that may have been answered. Retire the question and add a new one instead.")
		}
		if len(p) == 0 {
			for i := range count {
				o := map[string]string{}
				for _, lang := range SurveyLanguages {
					o[lang] = lines[lang][i]
				}
				q.Options = append(q.Options, o)
			}
		}
	}
	if err := p.Err(); err != nil {
		return SurveyQuestion{}, err
	}
	return q, nil
}

// ErrTooManyQuestions refuses a question beyond MaxSurveyQuestions at one
// moment: a survey that is meant to be short.
var ErrTooManyQuestions = Errorf(EInvalid, "A survey has at most 8 questions at each moment, so that it stays short. Retire one first.")

// SurveyTable is the year report's table of one question: how often each
// value was chosen, with small cells suppressed like every table.
type SurveyTable struct {
	Question SurveyQuestion
	Tally    Tally // labels are the values, "1" and up
}

// BuildSurveyTables makes the year report's survey tables from the answers
// counted per question and value: a table for every question asked now, and
// for every retired one that was answered in the year.
func BuildSurveyTables(questions []SurveyQuestion, counts map[string]map[int]int) []SurveyTable {
	var out []SurveyTable
	for _, q := range questions {
		if q.Retired && len(counts[q.ID]) == 0 {
			continue
		}
		var labels []string
		var n []int
		for _, v := range q.Values() {
			labels = append(labels, strconv.Itoa(v))
			n = append(n, counts[q.ID][v])
		}
		out = append(out, SurveyTable{Question: q, Tally: NewTally(labels, n)})
	}
	return out
}
