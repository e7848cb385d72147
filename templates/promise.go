package templates

import (
	"context"

	"confidant/counselling"
)

// AnswerWithin is the office's answer-time promise as help-seekers read it,
// in the language of ctx.
func AnswerWithin(ctx context.Context, p counselling.Promise) string {
	id, data := p.Phrase()
	return Tf(ctx, id, "Count", data["Count"])
}
