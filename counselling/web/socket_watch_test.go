package web_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"confidant/counselling"

	"github.com/coder/websocket"
)

// closedWithin reports whether the socket is closed by the office within d,
// reading and dropping whatever frames come before.
func closedWithin(s *socket, d time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		_, _, err := s.conn.Read(ctx)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		return errors.As(err, &ce) && ce.Code == websocket.StatusPolicyViolation
	}
}

// A live socket does not outlive its session: disabling a counsellor, or a
// help-seeker logging out in another tab, closes their open chat sockets.
func TestLiveSocketsCloseWhenTheirSessionEnds(t *testing.T) {
	withR, _ := withRelay(t)
	o := newOffice(t, withR)
	guest, counsellor, _, g, c := runningChat(t, o)
	defer g.close()
	admin := o.enrol(counselling.RoleAdmin, "Disabling Admin")

	admin.mustPost("/admin/staff/"+counsellor.id+"/disable", url.Values{"disabled": {"1"}}, "/admin?done=disabled")
	if !closedWithin(c, 15*time.Second) {
		t.Fatal("a disabled counsellor's chat socket stays open")
	}

	guest.post("/logout", nil)
	if !closedWithin(g, 15*time.Second) {
		t.Fatal("the socket of a session that logged out stays open")
	}
}
