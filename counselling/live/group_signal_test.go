package live

import "testing"

func TestGroupSignalForwardsOnlyRelayCandidatesToTheNamedPeer(t *testing.T) {
	const host = "candidate:1 1 udp 2122260223 192.168.1.20 54321 typ host"
	const relay = "candidate:2 1 udp 8331263 203.0.113.7 3478 typ relay raddr 198.51.100.9 rport 61000"
	sdp := "v=0\r\na=" + host + "\r\na=" + relay + "\r\n"
	for _, tc := range []struct {
		name           string
		f              GroupFrame
		forward, ok    bool
		sdp, candidate string
	}{
		{"an offer goes to its peer with its relay candidates only", GroupFrame{Type: TypeCallSDP, Peer: "p2", Call: &Call{SDP: &SessionDesc{Type: "offer", SDP: sdp}}},
			true, true, RelayOnlySDP(sdp), ""},
		{"an answer goes too", GroupFrame{Type: TypeCallSDP, Peer: "p2", Call: &Call{SDP: &SessionDesc{Type: "answer", SDP: "v=0\r\n"}}}, true, true, "v=0\r\n", ""},
		{"a description of another type is unreadable", GroupFrame{Type: TypeCallSDP, Peer: "p2", Call: &Call{SDP: &SessionDesc{Type: "pranswer", SDP: sdp}}}, false, false, "", ""},
		{"a description to oneself is unreadable", GroupFrame{Type: TypeCallSDP, Peer: "p1", Call: &Call{SDP: &SessionDesc{Type: "offer", SDP: sdp}}}, false, false, "", ""},
		{"a description to nobody is unreadable", GroupFrame{Type: TypeCallSDP, Call: &Call{SDP: &SessionDesc{Type: "offer", SDP: sdp}}}, false, false, "", ""},
		{"a frame without its call is unreadable", GroupFrame{Type: TypeCallICE, Peer: "p2"}, false, false, "", ""},
		{"a relay candidate goes, without its related address", GroupFrame{Type: TypeCallICE, Peer: "p3", Call: &Call{Candidate: &Candidate{Candidate: relay}}}, true, true, "", "candidate:2 1 udp 8331263 203.0.113.7 3478 typ relay raddr 0.0.0.0 rport 0"},
		{"a host candidate is dropped quietly", GroupFrame{Type: TypeCallICE, Peer: "p3", Call: &Call{Candidate: &Candidate{Candidate: host}}}, false, true, "", ""},
		{"a frame of another type is no signal", GroupFrame{Type: TypeGroupRemove, Peer: "p3", Call: &Call{}}, false, false, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, forward, ok := GroupSignal(tc.f, "p1")
			if forward != tc.forward || ok != tc.ok {
				t.Fatalf("forward %v ok %v, want %v %v", forward, ok, tc.forward, tc.ok)
			}
			if !forward {
				return
			}
			if out.Type != tc.f.Type || out.ID != tc.f.Peer || out.From != "p1" {
				t.Fatalf("addressed as %+v", out)
			}
			if tc.sdp != "" && (out.Call.SDP == nil || out.Call.SDP.SDP != tc.sdp) {
				t.Fatalf("description %+v, want %q", out.Call.SDP, tc.sdp)
			}
			if tc.candidate != "" && (out.Call.Candidate == nil || out.Call.Candidate.Candidate != tc.candidate) {
				t.Fatalf("candidate %+v, want %q", out.Call.Candidate, tc.candidate)
			}
		})
	}
}
