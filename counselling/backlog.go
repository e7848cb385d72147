package counselling

// Backlog is what waits in the office, all offices together, for operators'
// metrics: counts only, never who or what.
type Backlog struct {
	MailQueue   int // enquiries by mail nobody has taken yet
	LiveQueue   int // live chats waiting to be accepted
	OutboxMail  int // mails not yet delivered nor given up
	OutboxPush  int // device notifications not yet delivered nor given up
	GivenUpMail int // mails given up and not yet purged
	GivenUpPush int // device notifications given up and not yet purged
}
