package counselling

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// RatingSide is who rated a conversation: its help-seeker or its counsellor.
// Each side rates a conversation once.
type RatingSide string

// The two sides of a conversation.
const (
	RatingBySeeker     RatingSide = "seeker"
	RatingByCounsellor RatingSide = "counsellor"
)

// Rating is one side's score of a conversation, 1 (poor) to 5 (very good),
// with an optional comment that only supervisors read.
type Rating struct {
	Side    RatingSide
	Score   int
	Comment string
}

// CommentMaxRunes is how long a rating's comment may be.
const CommentMaxRunes = 2_000

// PoorScore is the highest score that counts as a poor rating.
const PoorScore = 2

// RatingSideOf is the side a caller rates from: help-seekers rate as the
// seeker, counsellors and supervisors (who hold conversations too) as the
// counsellor; anyone else does not rate.
func RatingSideOf(c Caller) (RatingSide, bool) {
	switch {
	case c.Kind == KindSeeker && c.AccountID != "":
		return RatingBySeeker, true
	case c.Counsels():
		return RatingByCounsellor, true
	}
	return "", false
}

// Rateable is the rule of when a conversation may be rated: once it is over
// (a mail thread closed, a chat or call ended) and if a counsellor took part,
// since a rating is about the conversation with them.
func Rateable(status, counsellorID string) bool {
	return status == StatusClosed && counsellorID != ""
}

// ParseRating reads a rating from a form: a score of 1 to 5 and an optional
// comment. Anything else is a field error and nothing is stored.
func ParseRating(side RatingSide, score, comment string) (Rating, error) {
	p := Problems{}
	n, err := strconv.Atoi(strings.TrimSpace(score))
	if err != nil || n < 1 || n > 5 {
		p.Add("score", "Please choose a rating from 1 to 5.")
	}
	comment = strings.TrimSpace(comment)
	checkText(p, "comment", comment, CommentMaxRunes, false)
	if err := p.Err(); err != nil {
		return Rating{}, err
	}
	return Rating{Side: side, Score: n, Comment: comment}, nil
}

// ErrRatedAlready answers a second rating of one conversation by one side.
var ErrRatedAlready = Errorf(EConflict, "You have already rated this conversation.")

// ErrNotRateable answers a rating of a conversation that is not over yet.
var ErrNotRateable = Errorf(EConflict, "A conversation can be rated once it has ended.")

// RatingsVisible is the rule of whose ratings of a conversation a caller who
// may read it sees: their own side's, and, for a supervisor who does not hold
// the conversation, both sides' with their comments. A comment is never
// shown to the other side: the counsellor never reads the help-seeker's,
// nor the help-seeker the counsellor's.
func RatingsVisible(c Caller, counsellorID string) []RatingSide {
	switch {
	case c.Kind == KindSeeker && c.AccountID != "":
		return []RatingSide{RatingBySeeker}
	case c.Supervises() && c.AccountID != counsellorID:
		return []RatingSide{RatingBySeeker, RatingByCounsellor}
	case c.Counsels() && c.AccountID == counsellorID:
		return []RatingSide{RatingByCounsellor}
	}
	return nil
}

// GuestPass is what lets a guest rate their chat, and answer the survey
// after it, once the chat is over: a guest's session ends with the chat, and
// a guest has no account to come back to. It is made from the hash of the
// guest's session token and the chat's id, so only pages rendered for the
// guest's own session can hold it; the chat keeps only its hash, and a pass
// opens nothing but that chat's rating and survey.
func GuestPass(sessionTokenHash []byte, chatID string) string {
	mac := hmac.New(sha256.New, sessionTokenHash)
	mac.Write([]byte("guest rating pass " + chatID))
	return hex.EncodeToString(mac.Sum(nil))
}
