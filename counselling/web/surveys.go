package web

import (
	"net/http"
	"net/url"

	"confidant/counselling"
	"confidant/templates"

	"github.com/labstack/echo/v4"
)

// Surveys: the admins' page that keeps an office's questions, and the
// answers help-seekers give before a chat and after a contact.

// Forms that come back with a problem carry it to the page's rating or
// survey panel through the request, since the page around them is rendered
// by the conversation's own handler.
const (
	ctxRatingForm = "rating-form"
	ctxSurveyForm = "survey-form"
)

var surveyQuestionFields = []string{"moment", "kind", "text_en", "text_de", "text_da", "text_nl",
	"options_en", "options_de", "options_da", "options_nl"}

func questionForm(form url.Values) counselling.SurveyQuestionForm {
	f := counselling.SurveyQuestionForm{Moment: form.Get("moment"), Kind: form.Get("kind"), Texts: map[string]string{}, Options: map[string]string{}}
	for _, lang := range counselling.SurveyLanguages {
		f.Texts[lang] = form.Get("text_" + lang)
		f.Options[lang] = form.Get("options_" + lang)
	}
	return f
}

func (s *Server) renderSurveys(c echo.Context, status int, f templates.Form) error {
	_, installation, err := s.adminContext(c)
	if err != nil {
		return err
	}
	qs, err := s.db.AllSurveyQuestions(c.Request().Context(), s.callerOf(c))
	if err != nil {
		return err
	}
	d := templates.AdminSurveysData{Installation: installation, Questions: qs, Form: f}
	if status == http.StatusOK {
		d.Message = map[string]string{"survey": "The survey is saved."}[s.confirmation(c)]
	}
	return s.render(c, status, templates.AdminSurveys(s.page(c, "Surveys"), d))
}

func (s *Server) adminSurveys(c echo.Context) error {
	return s.renderSurveys(c, http.StatusOK, templates.Form{})
}

func (s *Server) addSurveyQuestion(c echo.Context) error {
	form, err := parseForm(c)
	if err == nil {
		var q counselling.SurveyQuestion
		if q, err = counselling.ParseSurveyQuestion(questionForm(form), nil); err == nil {
			err = s.db.AddSurveyQuestion(c.Request().Context(), s.callerOf(c), q)
		}
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderSurveys(c, errorStatus(err), formOf(form, err, surveyQuestionFields...))
	}
	return c.Redirect(http.StatusSeeOther, s.confirm(c, "/admin/surveys", "survey"))
}

func (s *Server) renderSurveyQuestion(c echo.Context, status int, f templates.Form) error {
	_, installation, err := s.adminContext(c)
	if err != nil {
		return err
	}
	q, err := s.db.SurveyQuestion(c.Request().Context(), s.callerOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	if q.Retired {
		return errNotFound
	}
	if f.Values == nil {
		f.Values = map[string]string{}
		for _, lang := range counselling.SurveyLanguages {
			f.Values["text_"+lang] = q.Texts[lang]
			var lines string
			for _, o := range q.Options {
				lines += o[lang] + "\n"
			}
			f.Values["options_"+lang] = lines
		}
	}
	return s.render(c, status, templates.AdminSurveyQuestion(s.page(c, "Change a survey question"),
		templates.AdminSurveyQuestionData{Installation: installation, Question: q, Form: f}))
}

func (s *Server) surveyQuestionPage(c echo.Context) error {
	return s.renderSurveyQuestion(c, http.StatusOK, templates.Form{})
}

func (s *Server) editSurveyQuestion(c echo.Context) error {
	form, err := parseForm(c)
	if err == nil {
		err = s.db.EditSurveyQuestion(c.Request().Context(), s.callerOf(c), c.Param("id"), questionForm(form))
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderSurveyQuestion(c, errorStatus(err), formOf(form, err, surveyQuestionFields...))
	}
	return c.Redirect(http.StatusSeeOther, s.confirm(c, "/admin/surveys", "survey"))
}

func (s *Server) retireSurveyQuestion(c echo.Context) error {
	if err := s.db.RetireSurveyQuestion(c.Request().Context(), s.callerOf(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.confirm(c, "/admin/surveys", "survey"))
}

// beforeChatSurvey reads the answers to the survey before a chat from the
// form that starts it. "Start chat without the survey" leaves every answer
// out, whatever was chosen.
func (s *Server) beforeChatSurvey(c echo.Context, officeID int64, form url.Values) ([]counselling.SurveyAnswer, error) {
	if form.Get("survey") == "skip" {
		return nil, nil
	}
	qs, err := s.db.SurveyQuestions(c.Request().Context(), officeID, counselling.SurveyBeforeChat)
	if err != nil {
		return nil, err
	}
	return counselling.ParseSurveyAnswers(qs, form)
}

// keepBeforeChatAnswers keeps the answers once the chat has begun. A failure
// to keep them never keeps anyone from their chat: it is logged, and the
// chat goes on.
func (s *Server) keepBeforeChatAnswers(c echo.Context, officeID int64, answers []counselling.SurveyAnswer) {
	if err := s.db.AnswerBeforeChat(c.Request().Context(), officeID, answers); err != nil {
		s.log.Warn("survey answers before a chat not kept", "err", err)
	}
}

// surveyPanel is the survey after a contact for a help-seeker's
// conversation that is over; empty for anyone else, and while it is not over.
func (s *Server) surveyPanel(c echo.Context, caller counselling.Caller, id, status, counsellorID string, done bool) (templates.SurveyPanel, error) {
	side, ok := counselling.RatingSideOf(caller)
	if !ok || side != counselling.RatingBySeeker || caller.Guest || !counselling.Rateable(status, counsellorID) {
		return templates.SurveyPanel{}, nil
	}
	p := templates.SurveyPanel{Action: "/threads/" + id + "/survey", Done: done}
	var err error
	if p.Questions, err = s.db.SurveyQuestions(c.Request().Context(), caller.OfficeID, counselling.SurveyAfterContact); err != nil {
		return p, err
	}
	if f, ok := c.Get(ctxSurveyForm).(templates.Form); ok {
		p.Form, p.Chosen = f, c.Request().PostForm
	}
	return p, nil
}

// answerSurvey keeps a help-seeker's answers to the survey after a contact
// and goes back to the conversation; a problem shows the conversation again
// with the survey and the reason, and nothing is kept. A conversation that
// is not the caller's is not found, whatever was answered.
func (s *Server) answerSurvey(c echo.Context) error {
	caller := s.callerOf(c)
	id := c.Param("id")
	ctx := c.Request().Context()
	t, err := s.db.PeekThread(ctx, caller, id)
	if err != nil {
		return err
	}
	form, err := parseForm(c)
	if err == nil {
		var qs []counselling.SurveyQuestion
		if qs, err = s.db.SurveyQuestions(ctx, caller.OfficeID, counselling.SurveyAfterContact); err == nil {
			var answers []counselling.SurveyAnswer
			if answers, err = counselling.ParseSurveyAnswers(qs, form); err == nil {
				err = s.db.AnswerAfterContact(ctx, caller, id, answers)
			}
		}
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		c.Set(ctxSurveyForm, formOf(form, err))
		return s.renderSeekerThread(c, errorStatus(err), id, templates.Form{})
	}
	back := "/threads/" + id
	if t.Channel == counselling.ChannelChat {
		back = "/live/" + id
	}
	return c.Redirect(http.StatusSeeOther, s.confirm(c, back, "survey"))
}

// Guests: their session ends with their chat, so the page that shows the end
// of a guest's chat carries the chat's guest pass, and their rating and
// survey answers come back with it.

// renderGuestEnded is the page a guest sees once their chat is over: the
// rating form or their rating, and the survey after a contact. A wrong pass
// finds nothing.
func (s *Server) renderGuestEnded(c echo.Context, status int, chatID, pass string, rating, survey templates.Form, surveyDone bool) error {
	ctx := c.Request().Context()
	g, err := s.db.GuestChatOver(ctx, chatID, pass)
	if err != nil {
		return err
	}
	d := templates.ChatEndedData{Rating: templates.RatingPanel{Show: g.Rateable, Own: g.Rating, Form: rating, Pass: pass,
		Action: "/live/" + chatID + "/rating"}}
	if g.Rateable {
		d.Survey = templates.SurveyPanel{Action: "/live/" + chatID + "/survey", Pass: pass, Form: survey, Done: surveyDone}
		if d.Survey.Questions, err = s.db.SurveyQuestions(ctx, g.OfficeID, counselling.SurveyAfterContact); err != nil {
			return err
		}
		if survey.HasErrors() {
			d.Survey.Chosen = c.Request().PostForm
		}
	}
	return s.render(c, status, templates.ChatEnded(s.page(c, "The chat has ended"), d))
}

// rateAsGuest stores a guest's rating of their chat, given the chat's pass.
func (s *Server) rateAsGuest(c echo.Context) error {
	id := c.Param("id")
	form, err := parseForm(c)
	if err != nil {
		return err
	}
	pass := form.Get("pass")
	r, err := counselling.ParseRating(counselling.RatingBySeeker, form.Get("score"), form.Get("comment"))
	if err == nil {
		err = s.db.RateAsGuest(c.Request().Context(), id, pass, r)
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderGuestEnded(c, errorStatus(err), id, pass, ratingFormOf(form, err), templates.Form{}, false)
	}
	return s.renderGuestEnded(c, http.StatusOK, id, pass, templates.Form{}, templates.Form{}, false)
}

// answerSurveyAsGuest keeps a guest's answers to the survey after their
// chat, given the chat's pass.
func (s *Server) answerSurveyAsGuest(c echo.Context) error {
	id := c.Param("id")
	form, err := parseForm(c)
	if err != nil {
		return err
	}
	pass := form.Get("pass")
	ctx := c.Request().Context()
	g, err := s.db.GuestChatOver(ctx, id, pass)
	if err != nil {
		return err
	}
	qs, err := s.db.SurveyQuestions(ctx, g.OfficeID, counselling.SurveyAfterContact)
	if err != nil {
		return err
	}
	answers, err := counselling.ParseSurveyAnswers(qs, form)
	if err == nil {
		err = s.db.AnswerAfterGuestChat(ctx, id, pass, answers)
	}
	if err != nil {
		if !showsForm(err) {
			return err
		}
		return s.renderGuestEnded(c, errorStatus(err), id, pass, templates.Form{}, formOf(form, err), false)
	}
	return s.renderGuestEnded(c, http.StatusOK, id, pass, templates.Form{}, templates.Form{}, true)
}
