package web

import (
	"context"
	"encoding/hex"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// Confirmations: an action redirects to the page it promised (the contract's
// exact address, no query), and that page says what happened in a status
// message. What each session's next page is to confirm is kept in the shared
// state, so that the page may be served by another node than the action.
// Only a fixed code travels, never text a person wrote; a confirmation not
// shown within a minute (the person went elsewhere, or the office
// restarted) is simply forgotten.

// confirmationTTL is how long a confirmation waits for its page.
const confirmationTTL = time.Minute

// confirmKey names a session's confirmation by the hash of its token, as the
// store knows the session.
func confirmKey(tokenHash []byte) string { return "confirm/" + hex.EncodeToString(tokenHash) }

// confirm records that the page at path, where the action redirects, is to
// confirm code, and returns path.
func (s *Server) confirm(c echo.Context, path, code string) string {
	if sess := sessionOf(c); sess != nil {
		ctx, cancel := context.WithTimeout(c.Request().Context(), sharedTimeout)
		defer cancel()
		if err := s.live.shared.Put(ctx, confirmKey(sess.TokenHash), []byte(path+"\n"+code), confirmationTTL); err != nil {
			s.log.Error("keep a confirmation", "error", err.Error())
		}
	}
	return path
}

// confirmation is the code of what the requested page is to confirm: from
// the query (?done=, for redirects that carry it) or from the session's
// last action, once, and only on the page the action promised.
func (s *Server) confirmation(c echo.Context) string {
	if code := c.QueryParam("done"); code != "" {
		return code
	}
	sess := sessionOf(c)
	if sess == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), sharedTimeout)
	defer cancel()
	key := confirmKey(sess.TokenHash)
	v, err := s.live.shared.Get(ctx, key)
	if err != nil || v == nil {
		return ""
	}
	if path, _, _ := strings.Cut(string(v), "\n"); path != c.Request().URL.Path {
		return ""
	}
	// Taken, not read: of two pages at once only one confirms.
	if v, err = s.live.shared.Take(ctx, key); err != nil || v == nil {
		return ""
	}
	path, code, _ := strings.Cut(string(v), "\n")
	if path != c.Request().URL.Path {
		return ""
	}
	return code
}
