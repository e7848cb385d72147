package live

// A supervisor of the office may read a running chat along. Their connection
// receives the chat's messages and may send nothing; the counsellor's page is
// told, for as long as a supervisor reads along, by frames of TypeReading.
// The help-seeker's page is not told by these frames: the office's terms say
// that supervisors may read conversations, and who reads along is never
// shown to the help-seeker.
const (
	// TypeReading: to the counsellor who holds the chat, Status
	// ReadingOn while at least one supervisor reads along, ReadingOff once
	// none does.
	TypeReading = "reading"

	ReadingOn  = "on"
	ReadingOff = "off"

	// FromReader is the side of a supervisor reading along.
	FromReader = "reader"
)

// Forward reports whether a frame published to a chat's topic goes out to
// a connection of the given side. A supervisor reading along gets the chat's
// messages and state, never call signalling or typing; only the counsellor
// hears that a supervisor reads along.
func Forward(side string, f Frame) bool {
	switch {
	case f.Type == TypeReading:
		return side == FromCounsellor
	case side == FromReader:
		return !IsCall(f.Type) && f.Type != TypeTyping
	}
	return true
}
