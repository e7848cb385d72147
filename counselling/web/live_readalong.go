package web

import "confidant/counselling/live"

// readerJoin and readerLeave count the sockets of supervisors reading a chat
// along. The pages of the chat's two sides are told when the first one opens
// and when the last one closes, so that they say a supervisor is reading
// along exactly as long as one does.
func (s *Server) readerJoin(chatID string) {
	s.live.mu.Lock()
	s.live.readers[chatID]++
	first := s.live.readers[chatID] == 1
	s.live.mu.Unlock()
	if first {
		s.live.hub.Publish(live.ChatTopic(chatID), live.Frame{Type: live.TypeReading, Status: live.ReadingOn})
	}
}

func (s *Server) readerLeave(chatID string) {
	s.live.mu.Lock()
	s.live.readers[chatID]--
	last := s.live.readers[chatID] <= 0
	if last {
		delete(s.live.readers, chatID)
	}
	s.live.mu.Unlock()
	if last {
		s.live.hub.Publish(live.ChatTopic(chatID), live.Frame{Type: live.TypeReading, Status: live.ReadingOff})
	}
}

// readingFrame tells a page whether a supervisor reads along now.
func (s *Server) readingFrame(chatID string) live.Frame {
	s.live.mu.Lock()
	defer s.live.mu.Unlock()
	if s.live.readers[chatID] > 0 {
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
