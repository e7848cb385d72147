package live

// A supervisor of the office may read a running chat along. Their connection
// receives the chat's messages and may send nothing. Both sides' pages are
// told, for as long as a supervisor reads along, by frames of TypeReading:
// the counsellor always, and the help-seeker too, because a third person
// reading a conversation live is something they have a right to know; who
// reads along is never shown to them.
const (
	// TypeReading: to the counsellor who holds the chat and to the
	// help-seeker, Status ReadingOn while at least one supervisor reads
	// along, ReadingOff once none does.
	TypeReading = "reading"

	ReadingOn  = "on"
	ReadingOff = "off"

	// FromReader is the side of a supervisor reading along.
	FromReader = "reader"
)

// Forward reports whether a frame published to a chat's topic goes out to
// a connection of the given side. A supervisor reading along gets the chat's
// messages and state, never call signalling or typing; the two sides of the
// chat hear that a supervisor reads along.
func Forward(side string, f Frame) bool {
	switch {
	case f.Type == TypeReading:
		return side == FromCounsellor || side == FromSeeker
	case side == FromReader:
		return !IsCall(f.Type) && f.Type != TypeTyping
	}
	return true
}
