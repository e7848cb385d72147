package store

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"confidant/counselling"
)

// Surveys: the questions an office's admins keep, and the answers, which
// are written only as anonymous facts (see counselling/survey.go).

var errQuestionNotFound = counselling.Errorf(counselling.ENotFound, "This question does not exist.")

// surveyQuestions lists an office's questions, oldest first: those asked at
// moment, or all of them, retired ones too, when moment is empty.
func surveyQuestions(ctx context.Context, tx *sql.Tx, officeID int64, moment counselling.SurveyMoment) ([]counselling.SurveyQuestion, error) {
	q := `SELECT id, moment, kind, texts, options, retired_at IS NOT NULL FROM survey_questions WHERE office_id = ?`
	args := []any{officeID}
	if moment != "" {
		q += ` AND moment = ? AND retired_at IS NULL`
		args = append(args, string(moment))
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY position`, args...)
	if err != nil {
		return nil, fmt.Errorf("list survey questions: %w", err)
	}
	defer rows.Close()
	var out []counselling.SurveyQuestion
	for rows.Next() {
		var sq counselling.SurveyQuestion
		var texts, options string
		if err := rows.Scan(&sq.ID, &sq.Moment, &sq.Kind, &texts, &options, &sq.Retired); err != nil {
			return nil, fmt.Errorf("read survey question: %w", err)
		}
		if err := json.Unmarshal([]byte(texts), &sq.Texts); err != nil {
			return nil, fmt.Errorf("read survey question texts: %w", err)
		}
		if err := json.Unmarshal([]byte(options), &sq.Options); err != nil {
			return nil, fmt.Errorf("read survey question options: %w", err)
		}
		out = append(out, sq)
	}
	return out, rows.Err()
}

// SurveyQuestions lists the questions an office asks at moment, in order.
func (db *DB) SurveyQuestions(ctx context.Context, officeID int64, moment counselling.SurveyMoment) ([]counselling.SurveyQuestion, error) {
	var out []counselling.SurveyQuestion
	err := db.readTx(ctx, func(tx *sql.Tx) (err error) {
		out, err = surveyQuestions(ctx, tx, officeID, moment)
		return err
	})
	return out, err
}

// AllSurveyQuestions lists every question of the office the actor
// administers, retired ones too.
func (db *DB) AllSurveyQuestions(ctx context.Context, actor counselling.Caller) ([]counselling.SurveyQuestion, error) {
	var out []counselling.SurveyQuestion
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		out, err = surveyQuestions(ctx, tx, scope.OfficeID, "")
		return err
	})
	return out, err
}

// SurveyQuestion reads one question of the office the actor administers.
func (db *DB) SurveyQuestion(ctx context.Context, actor counselling.Caller, id string) (counselling.SurveyQuestion, error) {
	var out counselling.SurveyQuestion
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		q, err := db.adminQuestion(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		out = q
		return nil
	})
	return out, err
}

// adminQuestion finds a question of the office the actor administers; any
// other is not found.
func (db *DB) adminQuestion(ctx context.Context, tx *sql.Tx, actor counselling.Caller, id string) (counselling.SurveyQuestion, error) {
	scope, err := db.adminScope(ctx, tx, actor)
	if err != nil {
		return counselling.SurveyQuestion{}, err
	}
	all, err := surveyQuestions(ctx, tx, scope.OfficeID, "")
	if err != nil {
		return counselling.SurveyQuestion{}, err
	}
	for _, q := range all {
		if q.ID == id {
			return q, nil
		}
	}
	return counselling.SurveyQuestion{}, errQuestionNotFound
}

func encodeQuestion(q counselling.SurveyQuestion) (texts, options string, err error) {
	t, err := json.Marshal(q.Texts)
	if err != nil {
		return "", "", fmt.Errorf("encode question texts: %w", err)
	}
	if q.Options == nil {
		q.Options = []map[string]string{}
	}
	o, err := json.Marshal(q.Options)
	if err != nil {
		return "", "", fmt.Errorf("encode question options: %w", err)
	}
	return string(t), string(o), nil
}

// AddSurveyQuestion adds a question, checked by counselling.ParseSurveyQuestion,
// to the survey of the office the actor administers, after its other
// questions of the same moment; a survey keeps at most
// counselling.MaxSurveyQuestions at each moment.
func (db *DB) AddSurveyQuestion(ctx context.Context, actor counselling.Caller, q counselling.SurveyQuestion) error {
	id, err := db.newID()
	if err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		asked, err := surveyQuestions(ctx, tx, scope.OfficeID, q.Moment)
		if err != nil {
			return err
		}
		if len(asked) >= counselling.MaxSurveyQuestions {
			return counselling.ErrTooManyQuestions
		}
		texts, options, err := encodeQuestion(q)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO survey_questions (id, office_id, moment, kind, texts, options, position, created_at)
			VALUES (?, ?, ?, ?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM survey_questions WHERE office_id = ?), ?)`,
			id, scope.OfficeID, string(q.Moment), string(q.Kind), texts, options, scope.OfficeID, db.now().Unix()); err != nil {
			return fmt.Errorf("add survey question: %w", err)
		}
		return db.audit(ctx, tx, scope.OfficeID, actor.AccountID, "survey question added", q.Texts["en"], "")
	})
}

// EditSurveyQuestion changes the texts and options of a question of the
// office the actor administers. Its moment and kind stay, and the edit is
// checked again against the stored question (counselling.ParseSurveyQuestion),
// so that no option that answers may name is taken away.
func (db *DB) EditSurveyQuestion(ctx context.Context, actor counselling.Caller, id string, f counselling.SurveyQuestionForm) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		prev, err := db.adminQuestion(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if prev.Retired {
			return errQuestionNotFound
		}
		q, err := counselling.ParseSurveyQuestion(f, &prev)
		if err != nil {
			return err
		}
		texts, options, err := encodeQuestion(q)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE survey_questions SET texts = ?, options = ? WHERE id = ?`, texts, options, id); err != nil {
			return fmt.Errorf("change survey question: %w", err)
		}
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		return db.audit(ctx, tx, scope.OfficeID, actor.AccountID, "survey question changed", q.Texts["en"], "")
	})
}

// RetireSurveyQuestion stops asking a question of the office the actor
// administers. Its answers stay in the statistics.
func (db *DB) RetireSurveyQuestion(ctx context.Context, actor counselling.Caller, id string) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		q, err := db.adminQuestion(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if q.Retired {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE survey_questions SET retired_at = ? WHERE id = ?`, db.now().Unix(), id); err != nil {
			return fmt.Errorf("retire survey question: %w", err)
		}
		scope, err := db.adminScope(ctx, tx, actor)
		if err != nil {
			return err
		}
		return db.audit(ctx, tx, scope.OfficeID, actor.AccountID, "survey question retired", q.Texts["en"], "")
	})
}

// writeSurveyFacts keeps answers to an office's questions of moment as
// anonymous facts: after checking them against the questions asked now
// (counselling.CheckSurveyAnswers), one fact per answer with a fresh random
// key, the office, the question, the year and month and the value, and
// nothing else.
func (db *DB) writeSurveyFacts(ctx context.Context, tx *sql.Tx, officeID int64, moment counselling.SurveyMoment, answers []counselling.SurveyAnswer) error {
	asked, err := surveyQuestions(ctx, tx, officeID, moment)
	if err != nil {
		return err
	}
	if err := counselling.CheckSurveyAnswers(asked, answers); err != nil {
		return err
	}
	now := db.now().UTC()
	for _, a := range answers {
		key := make([]byte, 16)
		if _, err := io.ReadFull(db.rand, key); err != nil {
			return fmt.Errorf("survey fact key: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO survey_facts (fact_key, office_id, question_id, year, month, value) VALUES (?, ?, ?, ?, ?, ?)`,
			key, officeID, a.QuestionID, now.Year(), int(now.Month()), a.Value); err != nil {
			return fmt.Errorf("write survey fact: %w", err)
		}
	}
	return nil
}

// AnswerBeforeChat keeps the answers to an office's survey before a live
// chat. Anyone about to start a chat may answer, guests too; the caller
// starts the chat first, so that answers are kept only for a chat that
// began.
func (db *DB) AnswerBeforeChat(ctx context.Context, officeID int64, answers []counselling.SurveyAnswer) error {
	if len(answers) == 0 {
		return nil
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		return db.writeSurveyFacts(ctx, tx, officeID, counselling.SurveyBeforeChat, answers)
	})
}

// AnswerAfterContact keeps the answers to the survey after a contact by the
// help-seeker of a conversation that is over (counselling.Rateable): the
// survey is the help-seeker's, and it follows a contact that took place.
// Nothing of the conversation goes into the facts but its office.
func (db *DB) AnswerAfterContact(ctx context.Context, c counselling.Caller, threadID string, answers []counselling.SurveyAnswer) error {
	if side, ok := counselling.RatingSideOf(c); !ok || side != counselling.RatingBySeeker {
		return errThreadNotFound
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		officeID, err := db.contactOver(ctx, tx, c, threadID)
		if err != nil {
			return err
		}
		return db.writeSurveyFacts(ctx, tx, officeID, counselling.SurveyAfterContact, answers)
	})
}

// contactOver loads a conversation the caller rates (counselling.ActScope)
// and returns its office if it is over.
func (db *DB) contactOver(ctx context.Context, tx *sql.Tx, c counselling.Caller, threadID string) (int64, error) {
	h, err := db.actOn(ctx, tx, c, counselling.ActRate, threadID)
	if err != nil {
		return 0, err
	}
	var counsellor sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT counsellor_id FROM threads WHERE id = ?`, threadID).Scan(&counsellor); err != nil {
		return 0, fmt.Errorf("read thread holder: %w", err)
	}
	if !counselling.Rateable(h.status, counsellor.String) {
		return 0, counselling.ErrNotRateable
	}
	return h.officeID, nil
}

// guestOf is the guest of a chat, as a caller, if pass is the chat's guest
// pass (counselling.GuestPass); anything else finds nothing.
func guestOf(ctx context.Context, tx *sql.Tx, chatID, pass string) (counselling.Caller, error) {
	if !validID(chatID) || pass == "" {
		return counselling.Caller{}, errThreadNotFound
	}
	var c counselling.Caller
	var stored []byte
	err := tx.QueryRowContext(ctx, `SELECT t.seeker_id, t.office_id, t.guest_pass FROM threads t JOIN accounts a ON a.id = t.seeker_id
		WHERE t.id = ? AND t.channel = 'chat' AND a.guest = 1`, chatID).Scan(&c.AccountID, &c.OfficeID, &stored)
	if errors.Is(err, sql.ErrNoRows) {
		return c, errThreadNotFound
	}
	if err != nil {
		return c, fmt.Errorf("read guest chat: %w", err)
	}
	sum := sha256.Sum256([]byte(pass))
	if len(stored) != len(sum) || subtle.ConstantTimeCompare(stored, sum[:]) != 1 {
		return counselling.Caller{}, errThreadNotFound
	}
	c.Kind, c.Guest = counselling.KindSeeker, true
	return c, nil
}

// RateAsGuest stores a guest's rating of their chat, once it is over, given
// the chat's guest pass: the same rating, with the same rules, as a
// help-seeker's with an account (Rate).
func (db *DB) RateAsGuest(ctx context.Context, chatID, pass string, r counselling.Rating) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		c, err := guestOf(ctx, tx, chatID, pass)
		if err != nil {
			return err
		}
		return db.rate(ctx, tx, c, chatID, r)
	})
}

// AnswerAfterGuestChat keeps a guest's answers to the survey after their
// chat, given the chat's guest pass.
func (db *DB) AnswerAfterGuestChat(ctx context.Context, chatID, pass string, answers []counselling.SurveyAnswer) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		c, err := guestOf(ctx, tx, chatID, pass)
		if err != nil {
			return err
		}
		officeID, err := db.contactOver(ctx, tx, c, chatID)
		if err != nil {
			return err
		}
		return db.writeSurveyFacts(ctx, tx, officeID, counselling.SurveyAfterContact, answers)
	})
}

// GuestChat is what the page at the end of a guest's chat shows: whether
// the chat may be rated, the guest's rating once given, and the office whose
// survey follows it.
type GuestChat struct {
	OfficeID int64
	Rateable bool
	Rating   *counselling.Rating
}

// GuestChatOver reads a guest's chat given its guest pass; a wrong pass
// finds nothing.
func (db *DB) GuestChatOver(ctx context.Context, chatID, pass string) (GuestChat, error) {
	var g GuestChat
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		c, err := guestOf(ctx, tx, chatID, pass)
		if err != nil {
			return err
		}
		g.OfficeID = c.OfficeID
		if _, err := db.contactOver(ctx, tx, c, chatID); err == nil {
			g.Rateable = true
		} else if !errors.Is(err, counselling.ErrNotRateable) {
			return err
		}
		var score int
		err = tx.QueryRowContext(ctx, `SELECT score FROM ratings WHERE thread_id = ? AND side = 'seeker'`, chatID).Scan(&score)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read guest rating: %w", err)
		}
		g.Rating = &counselling.Rating{Side: counselling.RatingBySeeker, Score: score}
		return nil
	})
	return g, err
}

// SurveyCounts counts an office's survey answers of a year, per question
// and value, from the anonymous facts.
func (db *DB) SurveyCounts(ctx context.Context, officeID int64, year int) (map[string]map[int]int, error) {
	out := map[string]map[int]int{}
	rows, err := db.read.QueryContext(ctx, `SELECT question_id, value, count(*) FROM survey_facts WHERE office_id = ? AND year = ?
		GROUP BY question_id, value`, officeID, year)
	if err != nil {
		return nil, fmt.Errorf("count survey answers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var value, n int
		if err := rows.Scan(&id, &value, &n); err != nil {
			return nil, fmt.Errorf("read survey count: %w", err)
		}
		if out[id] == nil {
			out[id] = map[int]int{}
		}
		out[id][value] = n
	}
	return out, rows.Err()
}

// SurveyQuestionsOf lists every question of an office, retired ones too,
// for its year report.
func (db *DB) SurveyQuestionsOf(ctx context.Context, officeID int64) ([]counselling.SurveyQuestion, error) {
	return db.SurveyQuestions(ctx, officeID, "")
}
