package store_test

import (
	"context"
	"testing"

	"confidant/counselling"
	"confidant/store/storetest"
)

// TestSurveyQuestionsStayWithTheirOffice: an office's questions are kept,
// changed and retired by its own admins only, and answers are kept only for
// the questions the office asks at that moment.
func TestSurveyQuestionsStayWithTheirOffice(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	main, _ := db.OfficeBySlug(ctx, counselling.DefaultOfficeSlug)
	north, err := db.CreateOffice(ctx, "north", "North")
	if err != nil {
		t.Fatal(err)
	}
	admin := staffCaller(t, db, main.ID, counselling.RoleAdmin, "Main Admin")
	other := staffCaller(t, db, north.ID, counselling.RoleAdmin, "North Admin")
	supervisor := staffCaller(t, db, main.ID, counselling.RoleSupervisor, "Main Supervisor")

	q, err := counselling.ParseSurveyQuestion(counselling.SurveyQuestionForm{Moment: "before-chat", Kind: "scale",
		Texts: map[string]string{"en": "Mood?", "de": "Stimmung?", "da": "Humør?", "nl": "Stemming?"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AddSurveyQuestion(ctx, supervisor, q); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Fatalf("a supervisor added a question: %v", err)
	}
	if err := db.AddSurveyQuestion(ctx, admin, q); err != nil {
		t.Fatal(err)
	}
	asked, err := db.SurveyQuestions(ctx, main.ID, counselling.SurveyBeforeChat)
	if err != nil || len(asked) != 1 {
		t.Fatalf("questions %v, %v", asked, err)
	}
	id := asked[0].ID
	if none, _ := db.SurveyQuestions(ctx, north.ID, counselling.SurveyBeforeChat); len(none) != 0 {
		t.Fatal("another office asks the question")
	}
	if _, err := db.SurveyQuestion(ctx, other, id); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Errorf("another office's admin reads the question: %v", err)
	}
	edit := counselling.SurveyQuestionForm{Texts: map[string]string{"en": "Changed", "de": "Geändert", "da": "Ændret", "nl": "Gewijzigd"}}
	if err := db.EditSurveyQuestion(ctx, other, id, edit); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Errorf("another office's admin changed the question: %v", err)
	}
	if err := db.RetireSurveyQuestion(ctx, other, id); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Errorf("another office's admin retired the question: %v", err)
	}
	answer := []counselling.SurveyAnswer{{QuestionID: id, Value: 3}}
	if err := db.AnswerBeforeChat(ctx, north.ID, answer); err != counselling.ErrNoSuchQuestion {
		t.Errorf("an answer to another office's question was kept: %v", err)
	}
	if err := db.AnswerAfterContact(ctx, seekerCaller(t, db, "Survey Seeker", ""), "aaaaaaaaaaaaaaaaaaaaaaaaaa", answer); counselling.ErrorCode(err) != counselling.ENotFound {
		t.Errorf("an answer after a contact that does not exist: %v", err)
	}
	if err := db.AnswerBeforeChat(ctx, main.ID, answer); err != nil {
		t.Fatal(err)
	}
	if err := db.RetireSurveyQuestion(ctx, admin, id); err != nil {
		t.Fatal(err)
	}
	if err := db.AnswerBeforeChat(ctx, main.ID, answer); err != counselling.ErrNoSuchQuestion {
		t.Errorf("an answer to a retired question was kept: %v", err)
	}
	counts, err := db.SurveyCounts(ctx, main.ID, db.Clock.Now().UTC().Year())
	if err != nil || counts[id][3] != 1 || len(counts) != 1 {
		t.Fatalf("counts %v, %v", counts, err)
	}
	if n := db.Count(t, `SELECT count(*) FROM survey_facts WHERE office_id = ?`, north.ID); n != 0 {
		t.Fatalf("%d answers kept for the other office", n)
	}
}
