package templates

import (
	"context"
	"strconv"
	"time"

	"confidant/counselling"
)

// RatingPanel is the rating part of a conversation's page: the form while the
// reader may still rate it, or their own rating once given.
type RatingPanel struct {
	// Show: the conversation is over and the reader rates from one side.
	Show   bool
	Action string // where the form posts
	Staff  bool   // staff pages speak neutrally
	Own    *counselling.Rating
	// Form is the rating form come back with its problem (a score outside
	// 1 to 5, a second rating), shown on the form itself.
	Form Form
	// Pass is a guest's pass (counselling.GuestPass), sent back with the
	// rating since the guest's session has ended with their chat.
	Pass string
}

// QualityPanel is the supervision part of the counsellor's and the
// supervisor's conversation page.
type QualityPanel struct {
	ThreadID string
	Rating   RatingPanel
	// Ratings are both sides' ratings with comments, for a supervisor who
	// does not hold the conversation.
	Ratings []counselling.Rating
	Items   []counselling.SupervisionItem
	// MayRequest: the reader holds the conversation and no item is open.
	MayRequest bool
	// MayClose: the reader is a supervisor who may close the open item.
	MayClose bool
	Form     Form
}

var scores = []string{"1", "2", "3", "4", "5"}

func scoreText(n int) string { return strconv.Itoa(n) }

func ratingSideLabel(side counselling.RatingSide) string {
	if side == counselling.RatingBySeeker {
		return "Rating by the help-seeker"
	}
	return "Rating by the counsellor"
}

// Waited reads a waiting time in whole minutes, or hours and minutes.
func Waited(ctx context.Context, d time.Duration) string {
	if d <= 0 {
		return T(ctx, "nobody waits")
	}
	m := int(d / time.Minute)
	if m < 60 {
		return Tf(ctx, "{{.Minutes}} min", "Minutes", strconv.Itoa(m))
	}
	return Tf(ctx, "{{.Hours}} h {{.Minutes}} min", "Hours", strconv.Itoa(m/60), "Minutes", strconv.Itoa(m%60))
}
