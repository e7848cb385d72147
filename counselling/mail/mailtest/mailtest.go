// Package mailtest runs a real SMTP server in the test process (emersion/go-smtp)
// on loopback, and keeps every mail it receives for the test to read.
package mailtest

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mail is one received message.
type Mail struct {
	From string
	To   []string
	Data string
}

// Server is an SMTP server on 127.0.0.1.
type Server struct {
	t    testing.TB
	Addr string

	mu    sync.Mutex
	mails []Mail
	srv   *smtp.Server
	ln    net.Listener
}

// Start starts a server on a free port.
func Start(t testing.TB) *Server {
	s := &Server{t: t}
	s.listen("127.0.0.1:0")
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) listen(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{server: s}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	s.mu.Lock()
	s.srv, s.ln = srv, ln
	s.mu.Unlock()
	go srv.Serve(ln)
}

// URL is the server as a --smtp value.
func (s *Server) URL() string { return "smtp://" + s.Addr }

// Stop shuts the server down; mails sent now fail to connect.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if srv != nil {
		// Closing the listener too: Close alone misses a listener that Serve
		// has not picked up yet.
		ln.Close()
		srv.Close()
	}
}

// Restart listens again on the same address.
func (s *Server) Restart() {
	s.listen(s.Addr)
}

// Mails returns what was received so far.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

type session struct {
	server *Server
	from   string
	to     []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.server.mu.Lock()
	s.server.mails = append(s.server.mails, Mail{From: s.from, To: s.to, Data: strings.ReplaceAll(string(b), "\r\n", "\n")})
	s.server.mu.Unlock()
	return nil
}
