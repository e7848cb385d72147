package counselling

import "time"

// NoticeKind names a kind of notification mail.
type NoticeKind string

// Notification kinds. Every mail of one kind has the same subject and text: it
// says only that something is waiting, never who wrote, about what, or what.
const (
	NoticeReceived NoticeKind = "received" // a help-seeker's enquiry arrived
	NoticeReply    NoticeKind = "reply"    // a counsellor answered
	NoticeDigest   NoticeKind = "digest"   // new enquiries wait in the queue (staff)
	NoticeInactive NoticeKind = "inactive" // an unused account will be deleted soon
	NoticeDelayed  NoticeKind = "delayed"  // the answer takes longer than promised
	// NoticePush is a device notification without content to one push
	// subscription, not a mail.
	NoticePush NoticeKind = "push"
	// NoticeCallbackExpired: a request to be called back expired unanswered.
	NoticeCallbackExpired NoticeKind = "callback-expired"
	NoticeReset           NoticeKind = "reset" // a link to set a new password, asked for
	// An appointment was booked, or the counsellor cancelled it; the mail
	// names neither the time nor the counsellor.
	NoticeAppointmentBooked    NoticeKind = "appointment-booked"
	NoticeAppointmentCancelled NoticeKind = "appointment-cancelled"
)

// NoticeText returns the subject and body of a notification of kind, in
// English, as message ids with the placeholders {{.AnswerTime}} and
// {{.LoginURL}}; the sender translates them into the recipient's language.
func NoticeText(kind NoticeKind) (subject, body string) {
	switch kind {
	case NoticeReceived:
		return "Your message has arrived",
			"Your message has arrived. We usually answer {{.AnswerTime}}.\n\nLog in to read the answer when it is there:\n{{.LoginURL}}\n"
	case NoticeInactive:
		return "Your account will be deleted soon",
			"Your account has not been used for a long time and will be deleted in 14 days, as our privacy terms promise.\n\nTo keep it, log in once:\n{{.LoginURL}}\n\nIf you do nothing, it is deleted with everything in it.\n"
	case NoticeDelayed:
		return "Your answer is taking longer",
			"Your answer is taking longer than we promised. We have not forgotten you.\n\nLog in to see when you can expect it:\n{{.LoginURL}}\n"
	case NoticeCallbackExpired:
		return "Your request has expired",
			"A request you made has expired without an answer. You are welcome to make a new one.\n\nLog in to see more:\n{{.LoginURL}}\n"
	case NoticeReset:
		return "Your link to set a new password",
			"Someone asked for a link to set a new password for your account. If it was you, open this link within 30 minutes; it works once:\n{{.Link}}\n\nIf it was not you, ignore this mail: nothing changes.\n"
	case NoticeAppointmentBooked:
		return "Your appointment is booked",
			"Your appointment is booked. You find its time on your pages.\n\nLog in to see it:\n{{.LoginURL}}\n"
	case NoticeAppointmentCancelled:
		return "An appointment was cancelled",
			"An appointment of yours was cancelled. You can book another one on your pages.\n\nLog in to see it:\n{{.LoginURL}}\n"
	case NoticeAttention:
		return "Something needs your attention",
			"Something in your counselling office needs your attention.\n\nLog in to see what:\n{{.LoginURL}}\n"
	case NoticeDigest:
		return "New messages are waiting",
			"New messages are waiting in the queue.\n\nLog in to read them:\n{{.LoginURL}}\n"
	}
	return "You have a new message", "You have a new message.\n\nLog in to read it:\n{{.LoginURL}}\n"
}

// InviteText returns the subject and body of the mail that invites a staff
// member, as message ids with the placeholders {{.Hours}} (how long the link
// works) and {{.Link}}; the sender translates them into the language of the
// admin who sends the invite, which is the office's language they work in.
func InviteText() (subject, body string) {
	return "Your invitation to Confidant",
		"You are invited to join a Confidant counselling office.\n\nOpen this one-time link within {{.Hours}} hours to set your password and second factor:\n{{.Link}}\n"
}

// Outgoing is a notification due to be sent, with its address decrypted.
type Outgoing struct {
	ID        int64
	OfficeID  int64
	Kind      NoticeKind
	Recipient string
	Attempts  int
	CreatedAt time.Time
	Lang      string
	// Register is the form of Lang the mail is written in: "Sie" where the
	// office chose it for German, easy language where the office offers it
	// and the help-seeker chose it.
	Register Register
	// Link is the one-time token a reset mail carries, "" for other kinds.
	Link string
	// Push, for a notice of kind NoticePush, is the device's subscription
	// (SubscriptionID) the notice goes to instead of an address.
	Push           *PushSubscription
	SubscriptionID int64
}

// NoticeGiveUpAfter is how long a notification is retried before it is dropped.
const NoticeGiveUpAfter = 7 * 24 * time.Hour

// NoticeGivenUp reports whether a notification of kind queued at created is
// dropped at now instead of tried again: a reset mail once its link has
// expired, any other after NoticeGiveUpAfter.
func NoticeGivenUp(kind NoticeKind, created, now time.Time) bool {
	if kind == NoticeReset {
		return now.Sub(created) >= ResetLinkTTL
	}
	return now.Sub(created) >= NoticeGiveUpAfter
}

// NoticeBackoff is the pause after the n-th failed attempt: 30 s, doubling, at
// most an hour.
func NoticeBackoff(attempts int) time.Duration {
	d := 30 * time.Second << min(max(attempts-1, 0), 7)
	return min(d, time.Hour)
}
