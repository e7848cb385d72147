package counselling_test

import (
	"testing"

	"confidant/counselling"
)

// TestTranscriptScope: a chat's messages are read by both of its sides while
// it runs; once it has ended, by its help-seeker and the office's
// supervisors, not by the counsellor who held it. Mail is read as the thread
// is.
func TestTranscriptScope(t *testing.T) {
	guest := counselling.Caller{AccountID: "g1", Kind: counselling.KindSeeker, OfficeID: 1, Guest: true}
	standIn := counsellor
	standIn.StandsInFor = "c9"
	for _, tc := range []struct {
		name       string
		c          counselling.Caller
		page, live counselling.ThreadScope
	}{
		{"a help-seeker reads their own conversations, ended chats too", seeker,
			counselling.ThreadScope{SeekerID: "s1"}, counselling.ThreadScope{SeekerID: "s1"}},
		{"a guest reads their own chat", guest,
			counselling.ThreadScope{SeekerID: "g1"}, counselling.ThreadScope{SeekerID: "g1"}},
		{"a counsellor reads what they hold, but no chat of theirs that has ended", counsellor,
			counselling.ThreadScope{OfficeID: 1, AssignedTo: "c1", HeldUntilChatEnds: true},
			counselling.ThreadScope{OfficeID: 1, AssignedTo: "c1", HeldUntilChatEnds: true, Channel: counselling.ChannelChat}},
		{"a stand-in reads the absent colleague's mail, which has no chat", standIn,
			counselling.ThreadScope{OfficeID: 1, AssignedTo: "c1", HeldUntilChatEnds: true, StandInFor: "c9"},
			counselling.ThreadScope{OfficeID: 1, AssignedTo: "c1", HeldUntilChatEnds: true, Channel: counselling.ChannelChat}},
		{"a supervisor reads the office's ended chats on the conversation page, and running ones along live", supervisor,
			counselling.ThreadScope{OfficeID: 2, AssignedTo: "v1", HeldUntilChatEnds: true, OrFlagged: true, OrAwaitingReview: true,
				OrSupervised: true, OrEndedChat: true},
			counselling.ThreadScope{OfficeID: 2, AssignedTo: "v1", HeldUntilChatEnds: true, OrRunningChat: true, Channel: counselling.ChannelChat}},
		{"an admin reads none", admin, counselling.ThreadScope{None: true}, counselling.ThreadScope{None: true}},
		{"a visitor without an account reads none", counselling.Caller{Kind: counselling.KindSeeker},
			counselling.ThreadScope{None: true}, counselling.ThreadScope{None: true}},
	} {
		if got := counselling.TranscriptScope(tc.c); got != tc.page {
			t.Errorf("%s, on the conversation page: %+v, want %+v", tc.name, got, tc.page)
		}
		if got := counselling.LiveTranscriptScope(tc.c); got != tc.live {
			t.Errorf("%s, live: %+v, want %+v", tc.name, got, tc.live)
		}
	}
	// Supervisors read ended chats on the conversation page, where each
	// reading is audited, and not live.
	if s := counselling.ChatScope(supervisor); s.OrEndedChat {
		t.Error("a supervisor loads the office's ended chats live")
	}
	if s := counselling.EndedChatScope(supervisor); s != (counselling.ThreadScope{OfficeID: 2, OrEndedChat: true, Channel: counselling.ChannelChat}) {
		t.Errorf("a supervisor is offered %+v", s)
	}
	for _, c := range []counselling.Caller{seeker, counsellor, admin} {
		if s := counselling.EndedChatScope(c); !s.None {
			t.Errorf("%+v is offered ended chats: %+v", c, s)
		}
	}
}

func TestMustAuditTranscript(t *testing.T) {
	for _, tc := range []struct {
		name            string
		c               counselling.Caller
		channel, status string
		want            bool
	}{
		{"a supervisor reads an ended chat", supervisor, counselling.ChannelChat, counselling.ChatEnded, true},
		{"a supervisor reads a running chat along (audited when opened)", supervisor, counselling.ChannelChat, counselling.ChatRunning, false},
		{"a supervisor reads closed mail", supervisor, counselling.ChannelMail, counselling.StatusClosed, false},
		{"a counsellor reads an ended chat's record", counsellor, counselling.ChannelChat, counselling.ChatEnded, false},
		{"a help-seeker reads their ended chat", seeker, counselling.ChannelChat, counselling.ChatEnded, false},
	} {
		if got := counselling.MustAuditTranscript(tc.c, tc.channel, tc.status); got != tc.want {
			t.Errorf("%s: audited %v, want %v", tc.name, got, tc.want)
		}
	}
}
