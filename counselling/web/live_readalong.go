package web

import "confidant/counselling/live"

func readerKey(chatID string) string { return "reader/" + chatID }

// readerJoin and readerLeave count the sockets of supervisors reading a chat
// along, on every node. The pages of the chat's two sides are told each
// time one opens or closes, and each page then asks whether anyone reads
// along now (readingFrame), so that they say a supervisor is reading along
// exactly as long as one does.
func (s *Server) readerJoin(chatID string) {
	s.live.join(readerKey(chatID))
	s.live.hub.Publish(live.ChatTopic(chatID), live.Frame{Type: live.TypeReading, Status: live.ReadingOn})
}

func (s *Server) readerLeave(chatID string) {
	s.live.leave(readerKey(chatID))
	s.live.hub.Publish(live.ChatTopic(chatID), live.Frame{Type: live.TypeReading, Status: live.ReadingOff})
}

// readingFrame tells a page whether a supervisor reads along now.
func (s *Server) readingFrame(chatID string) live.Frame {
	if s.live.count(readerKey(chatID)) > 0 {
		return live.Frame{Type: live.TypeReading, Status: live.ReadingOn}
	}
	return live.Frame{Type: live.TypeReading, Status: live.ReadingOff}
}

// resumeReading tells a counsellor's or help-seeker's page that connects
// while a supervisor already reads along.
func (cc *chatConn) resumeReading() {
	f := cc.s.readingFrame(cc.id)
	if f.Status != live.ReadingOn {
		return
	}
	select {
	case cc.out <- f:
	default:
	}
}
