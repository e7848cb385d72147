package web

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"

	"confidant/counselling"

	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"
)

// socketOrigin is the rule for WebSocket handshakes: only from a page of this
// office. A browser that sends Sec-Fetch-Site must say "same-origin"; the
// Origin, which every browser sends with a handshake, must be this office's
// scheme and host.
func (s *Server) socketOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	return err == nil && s.sameOffice(u, r)
}

// accept upgrades a request to a WebSocket after the origin check.
func (s *Server) accept(c echo.Context) (*websocket.Conn, error) {
	if !s.socketOrigin(c.Request()) {
		return nil, errCrossOrigin
	}
	var raw *countedConn
	conn, err := websocket.Accept(smallBuffers{c.Response(), &s.sockets, &raw}, c.Request(), &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(counselling.ChatFrameMaxBytes)
	if sess := sessionOf(c); sess != nil && raw != nil {
		s.watchSocket(conn, raw, sess.TokenHash)
	}
	return conn, nil
}

// socketBuffer is the size of a socket's read and write buffers. A chat's
// frames are small and an idle socket still holds both buffers, so the 4 KB
// that net/http gives a connection would be most of what a socket costs.
const socketBuffer = 1024

// smallBuffers hands the WebSocket a hijacked connection with buffers of
// socketBuffer bytes in place of net/http's, which become garbage.
// It also counts the connection among the open sockets until it is closed.
type smallBuffers struct {
	http.ResponseWriter
	open *atomic.Int64
	// conn, when set, receives the connection handed over.
	conn **countedConn
}

func (w smallBuffers) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// countedConn takes itself off the count of open sockets once, when closed.
type countedConn struct {
	net.Conn
	open   *atomic.Int64
	closed atomic.Bool
}

func (c *countedConn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.open.Add(-1)
	}
	return c.Conn.Close()
}

func (w smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hijacked, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	// The WebSocket closes the connection it is given, which takes it off
	// the count again.
	w.open.Add(1)
	counted := &countedConn{Conn: hijacked, open: w.open}
	if w.conn != nil {
		*w.conn = counted
	}
	var conn net.Conn = counted
	if err := brw.Writer.Flush(); err != nil {
		conn.Close()
		return nil, nil, err
	}
	// What the browser sent after the handshake may already be in net/http's
	// read buffer. It must be in the new buffer too, not merely ahead of the
	// connection: the WebSocket keeps what is buffered and replaces the rest
	// of the reader.
	n := brw.Reader.Buffered()
	if n > socketBuffer {
		return conn, bufio.NewReadWriter(brw.Reader, bufio.NewWriterSize(conn, socketBuffer)), nil
	}
	r := bufio.NewReaderSize(conn, socketBuffer)
	if n > 0 {
		b, _ := brw.Reader.Peek(n)
		r = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(b)), conn), socketBuffer)
		if _, err := r.Peek(n); err != nil {
			conn.Close()
			return nil, nil, err
		}
	}
	return conn, bufio.NewReadWriter(r, bufio.NewWriterSize(conn, socketBuffer)), nil
}
