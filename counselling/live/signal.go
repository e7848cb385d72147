package live

import (
	"strings"

	"confidant/counselling/live/turn"
)

// Call signalling travels over the chat's WebSocket as frames of these types.
// The server relays them between the two sides of a chat and never stores or
// logs them.
const (
	// TypeCallOffer: from the counsellor, offers a call; to the help-seeker,
	// a call is offered and may be joined.
	TypeCallOffer = "call-offer"
	// TypeCallJoin: from the help-seeker, joins the offered call (Call.Voice:
	// without camera); to the counsellor, the help-seeker has joined.
	TypeCallJoin = "call-join"
	// TypeCallConfig: to the browser that offered or joined, the one ICE
	// server it may use: the office's own relay, with its own credentials.
	TypeCallConfig = "call-config"
	// TypeCallSDP carries an SDP offer or answer (Call.SDP) either way.
	TypeCallSDP = "call-sdp"
	// TypeCallICE carries one trickled ICE candidate (Call.Candidate).
	TypeCallICE = "call-ice"
	// TypeCallEnd hangs up, either way.
	TypeCallEnd = "call-end"
	// TypeCallLog: from the browser, an ICE candidate error's code, for the
	// server's log; it names no address.
	TypeCallLog = "call-log"
)

// Call is the signalling part of a call frame.
type Call struct {
	Voice      bool             `json:"voice,omitempty"`
	SDP        *SessionDesc     `json:"sdp,omitempty"`
	Candidate  *Candidate       `json:"candidate,omitempty"`
	ICEServers []turn.ICEServer `json:"iceServers,omitempty"`
	Code       int              `json:"code,omitempty"`
}

// SessionDesc is an RTCSessionDescription.
type SessionDesc struct {
	Type string `json:"type"` // "offer" or "answer"
	SDP  string `json:"sdp"`
}

// Candidate is an RTCIceCandidateInit.
type Candidate struct {
	Candidate     string  `json:"candidate"`
	SDPMid        *string `json:"sdpMid,omitempty"`
	SDPMLineIndex *int    `json:"sdpMLineIndex,omitempty"`
}

// IsCall reports whether a frame type is call signalling.
func IsCall(typ string) bool {
	switch typ {
	case TypeCallOffer, TypeCallJoin, TypeCallConfig, TypeCallSDP, TypeCallICE, TypeCallEnd, TypeCallLog:
		return true
	}
	return false
}

// MaySignal reports whether the given side of a chat may send a call frame
// of type typ. Only the counsellor offers a call, and only the help-seeker
// joins one; both exchange descriptions and candidates and hang up. The
// server's answers (call-config) are never the browser's to send.
func MaySignal(side, typ string) bool {
	switch typ {
	case TypeCallOffer:
		return side == FromCounsellor
	case TypeCallJoin:
		return side == FromSeeker
	case TypeCallSDP, TypeCallICE, TypeCallEnd, TypeCallLog:
		return side == FromCounsellor || side == FromSeeker
	}
	return false
}

// RelayCandidate checks an ICE candidate line (with or without its "a="
// prefix) and returns it as the other side may see it. A host,
// server-reflexive or peer-reflexive candidate carries an address of the
// browser's own network, which the other side must never learn, so anything
// that does not say "typ relay" in its place is refused (ok false). A relay
// candidate may name, as its related address, the address the relay saw the
// browser come from; that is replaced by 0.0.0.0 port 0. The
// end-of-candidates marker (an empty candidate) carries no address and passes.
func RelayCandidate(line string) (string, bool) {
	line = strings.TrimSpace(line)
	if line == "" {
		return "", true
	}
	// candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> [raddr <addr> rport <port>] ...
	fields := strings.Fields(line)
	if len(fields) < 8 || !strings.HasPrefix(strings.TrimPrefix(fields[0], "a="), "candidate:") {
		return "", false
	}
	if fields[6] != "typ" || fields[7] != "relay" {
		return "", false
	}
	// Every field is looked at, not pairs from the eighth on: an odd
	// attribute before raddr must not let the related address through.
	for i := 8; i+1 < len(fields); i++ {
		switch fields[i] {
		case "raddr":
			fields[i+1] = "0.0.0.0"
			i++
		case "rport":
			fields[i+1] = "0"
			i++
		}
	}
	return strings.Join(fields, " "), true
}

// RelayOnlySDP returns an SDP body with only its relay candidates, each as
// RelayCandidate returns it. Other lines, the end-of-candidates marker among
// them, are kept as they are, with their line endings.
func RelayOnlySDP(sdp string) string {
	var b strings.Builder
	b.Grow(len(sdp))
	for _, l := range strings.SplitAfter(sdp, "\n") {
		if !strings.HasPrefix(l, "a=candidate:") {
			b.WriteString(l)
			continue
		}
		c, ok := RelayCandidate(l)
		if !ok {
			continue
		}
		b.WriteString(c)
		b.WriteString(l[len(strings.TrimRight(l, "\r\n")):])
	}
	return b.String()
}
